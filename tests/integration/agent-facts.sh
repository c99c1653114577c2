#!/bin/bash
# agent-facts.sh: `p2v-agent --facts` against a small real scenario.
#
# Builds, without touching this machine's own config: a loop device with
# ext4 (a user xattr, an ACL, a file capability, a bind mount inside it),
# a raw loop device, and a private mount/net/UTS namespace holding a
# dummy interface with a chosen MAC and documentation addresses, and a
# chroot whose /etc and /opt (a tmpfs) name that MAC. The agent runs
# chrooted so that its scans see only the scenario's mounts, then every
# fact is checked with jq against the values the scenario was built with.
#
# Needs root, jq, util-linux, e2fsprogs, acl, attr, libcap2-bin, iproute2.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: agent-facts needs root (loop devices, namespaces)"
    exit 77
fi
for tool in jq unshare losetup mkfs.ext4 setfacl setfattr setcap ip chroot; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done

AGENT=${P2V_BUILD_DIR:?P2V_BUILD_DIR not set}/bin/p2v-agent
[ -x "$AGENT" ] || { echo "FAIL: no agent at $AGENT"; exit 1; }

MAC=02:50:32:76:00:01
IFACE=p2vfacts0
PEER=p2vfacts1
PEER_MAC=02:50:32:76:00:02
FS_UUID=6d1b3c0e-8a4f-4f52-9d0e-5f2a7c1b9e01
HOST=p2v-facts-test

WORK=$(mktemp -d /tmp/p2v-agent-facts.XXXXXX)
LOOP_FS=
LOOP_RAW=
cleanup() {
    # The namespace (and every mount and interface in it) is gone once
    # its one process has exited; then the loop devices are free.
    [ -n "$LOOP_FS" ] && losetup -d "$LOOP_FS" 2>/dev/null || true
    [ -n "$LOOP_RAW" ] && losetup -d "$LOOP_RAW" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }

truncate -s 32M "$WORK/fs.img"
truncate -s 8M "$WORK/raw.img"
LOOP_FS=$(losetup -f --show "$WORK/fs.img")
LOOP_RAW=$(losetup -f --show "$WORK/raw.img")
mkfs.ext4 -q -F -U "$FS_UUID" -L p2vfacts "$LOOP_FS"
FS_DEV=$(stat -c '%Hr:%Lr' "$LOOP_FS")
RAW_DEV=$(stat -c '%Hr:%Lr' "$LOOP_RAW")

# Everything below runs inside the private namespaces.
cat > "$WORK/inner.sh" <<'INNER'
set -euo pipefail
mount --make-rprivate /
hostname "$HOST"

ip link set lo up
# veth rather than dummy: the dummy module is not in every kernel.
ip link add "$IFACE" type veth peer name "$PEER"
ip link set "$IFACE" address "$MAC"
ip link set "$PEER" address "$PEER_MAC"
ip link set "$PEER" up
ip addr add 198.51.100.7/24 dev "$IFACE"
ip addr add 198.51.100.130/25 dev "$IFACE"
ip addr add 2001:db8:50::7/64 dev "$IFACE" nodad
ip addr add 2001:db8:51::9/56 dev "$IFACE" nodad
ip link set "$IFACE" up

R=$WORK/root
mkdir -p "$R"
mount -t tmpfs -o mode=0755 p2v-root "$R"
mkdir -p "$R"/{proc,sys,dev,etc,opt,bin,sbin,mnt/data}
mount --bind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"

# The agent, and whatever it links to when not static (sanitizer builds).
cp "$AGENT" "$R/bin/p2v-agent"
if ldd "$AGENT" >/dev/null 2>&1; then
    ldd "$AGENT" | grep -o '/[^ ]*' | while read -r lib; do cp --parents "$lib" "$R"; done
fi
mkdir -p "$R/lib/x86_64-linux-gnu"
[ -e "$R/lib/x86_64-linux-gnu/libc.so.6" ] || cp /lib/x86_64-linux-gnu/libc.so.6 "$R/lib/x86_64-linux-gnu/" 2>/dev/null || true
cp "$(readlink -f /bin/sh)" "$R/bin/sh"
ln -s ../bin/sh "$R/sbin/init"

# Files the node reads: one UTF-8, one not (blob as base64), a glob match.
printf 'ID=p2vtest\nVERSION_ID="1.0"\n' > "$R/etc/os-release"
printf 'mail\377name\n' > "$R/etc/mailname"
mkdir -p "$R/etc/network/interfaces.d" "$R/etc/udev/rules.d"
printf 'auto eth0\niface eth0 inet static\n' > "$R/etc/network/interfaces.d/eth0"
printf 'SUBSYSTEM=="net", ATTR{address}=="%s", NAME="eth0"\n' "$MAC" \
    > "$R/etc/udev/rules.d/70-persistent-net.rules"
# Not a mention: the MAC's hex digits inside a longer hex string.
printf 'hash=00%s00\n' "${MAC//:/}" > "$R/etc/not-a-mention"

# /opt as its own tmpfs with a licence naming the MAC (upper case, dashes)
# and a symlink to it that must not be followed.
mount -t tmpfs -o mode=0755 p2v-opt "$R/opt"
mkdir -p "$R/opt/vendor"
printf 'HOSTID=%s\n' "$(echo "${MAC//:/-}" | tr a-f A-F)" > "$R/opt/vendor/licence.lic"
ln -s licence.lic "$R/opt/vendor/link.lic"

# The ext4 filesystem: one file per xattr namespace, and a bind mount of
# a directory inside the same filesystem, which the scan must not enter.
D=$R/mnt/data
mount "$LOOP_FS" "$D"
mkdir -p "$D/dir1" "$D/bound"
touch "$D/dir1/userfile" "$D/aclfile" "$D/capfile"
setfattr -n user.p2v -v hello "$D/dir1/userfile"
setfacl -m u:1234:r "$D/aclfile"
setcap cap_net_raw+ep "$D/capfile"
mount --bind "$D/dir1" "$D/bound"
stat -f -c '%S %b' "$D" > "$WORK/statfs.expect"

chroot "$R" /bin/p2v-agent --facts > "$WORK/facts.json"
INNER

export WORK HOST IFACE MAC PEER PEER_MAC AGENT LOOP_FS
unshare --mount --net --uts --propagation private bash "$WORK/inner.sh" \
    || fail "building the scenario or running the agent failed"

F=$WORK/facts.json
jq -e . "$F" >/dev/null || fail "the agent's output is not JSON"

# check DESCRIPTION JQ-EXPRESSION [jq args...]: the expression must be true.
check() {
    local what=$1 expr=$2
    shift 2
    if jq -e "$@" "$expr" "$F" >/dev/null; then
        echo "ok - $what"
    else
        echo "not ok - $what: $expr"
        FAILED=1
    fi
}
FAILED=0
read -r FRSIZE BLOCKS < "$WORK/statfs.expect"

check "schema" '.schema == 1'
check "hostname" '.hostname == $h and .uname.nodename == $h' --arg h "$HOST"
check "uname machine" '.uname.machine == $m and .uname.sysname == "Linux"' --arg m "$(uname -m)"
check "cpu count" '.cpu.count == $n' --argjson n "$(grep -c '^processor' /proc/cpuinfo)"
check "no errors" '.errors == []'

check "interfaces" '[.interfaces[].name] | sort == (["lo", $i, $p] | sort)' --arg i "$IFACE" --arg p "$PEER"
check "interface mac and flags" \
    '.interfaces[] | select(.name == $i) | .mac == $mac and .flags == ["up", "running"] and .index > 0' \
    --arg i "$IFACE" --arg mac "$MAC"
check "interface addresses" \
    '[.interfaces[] | select(.name == $i) | .addresses[] | select(.address | startswith("fe80") | not)]
     | sort_by(.address) == [
        {"family": "inet", "address": "198.51.100.130", "prefix": 25},
        {"family": "inet", "address": "198.51.100.7", "prefix": 24},
        {"family": "inet6", "address": "2001:db8:50::7", "prefix": 64},
        {"family": "inet6", "address": "2001:db8:51::9", "prefix": 56}]' --arg i "$IFACE"
check "loopback" '.interfaces[0].name == "lo" and .interfaces[0].flags == ["up", "loopback", "running"]
     and (.interfaces[0].addresses | map(.address + "/" + (.prefix | tostring)) | sort) == ["127.0.0.1/8", "::1/128"]'

check "files: os-release as text" \
    '.files[] | select(.path == "/etc/os-release") | .blob == {"text": "ID=p2vtest\nVERSION_ID=\"1.0\"\n"} and .size == 28'
check "files: binary as base64" \
    '.files[] | select(.path == "/etc/mailname") | .blob == {"base64": "bWFpbP9uYW1lCg=="}'
check "files: glob" 'any(.files[]; .path == "/etc/network/interfaces.d/eth0")'
check "files: mountinfo" 'any(.files[]; .path == "/proc/self/mountinfo" and (.blob.text | contains(" /mnt/data ")))'
check "files: absent ones not listed" 'all(.files[]; .path != "/etc/fstab")'

check "statfs of the ext4 mount" \
    '[.statfs[] | select(.mountpoint == "/mnt/data")] | length == 1 and .[0].dev == $dev
     and .[0].bsize == $fr and .[0].blocks == $b' \
    --arg dev "$FS_DEV" --argjson fr "$FRSIZE" --argjson b "$BLOCKS"

check "block: ext4 loop device" \
    '.block_devices[] | select(.path == $p) | .dev == $dev and .blkid.TYPE == "ext4"
     and .blkid.UUID == $u and .blkid.LABEL == "p2vfacts" and .blkid.USAGE == "filesystem"
     and .size == 33554432 and .loop_backing == $b and .partition == false and .ro == false' \
    --arg p "$LOOP_FS" --arg dev "$FS_DEV" --arg u "$FS_UUID" --arg b "$WORK/fs.img"
check "block: raw loop device has no TYPE" \
    '.block_devices[] | select(.path == $p) | .dev == $dev and (.blkid | type == "object")
     and (.blkid | has("TYPE") | not) and .size == 8388608' \
    --arg p "$LOOP_RAW" --arg dev "$RAW_DEV"
check "block: each device once" '[.block_devices[].dev] | length == (unique | length)'

if [ "$(uname -m)" = x86_64 ]; then
    check "elf: libc, init, sh" \
        '[.elf[] | {path, class, endian, machine}] == [
            {"path": "/lib/x86_64-linux-gnu/libc.so.6", "class": 64, "endian": "little", "machine": 62},
            {"path": "/sbin/init", "class": 64, "endian": "little", "machine": 62},
            {"path": "/bin/sh", "class": 64, "endian": "little", "machine": 62}]'
    # The NT_GNU_ABI_TAG note header: namesz 4, descsz 16, type 1, "GNU".
    # (jq 1.6 cuts decoded strings at NUL, so decode with base64.)
    if jq -r '.elf[0].notes.base64' "$F" | base64 -d | od -An -v -tx1 | tr -d ' \n' \
        | grep -q 040000001000000001000000474e5500; then
        echo "ok - elf: libc notes hold the GNU ABI tag"
    else
        echo "not ok - elf: libc notes hold the GNU ABI tag"
        FAILED=1
    fi
fi

check "xattr scan roots and bounds" \
    '.xattr_scan | .roots == ["/mnt/data"] and .truncated == false and .errors == 0'
check "xattr namespaces" \
    '.xattr_scan.namespaces == {
        "user": {"count": 1, "samples": ["/mnt/data/dir1/userfile"]},
        "security.capability": {"count": 1, "samples": ["/mnt/data/capfile"]},
        "system.posix_acl_access": {"count": 1, "samples": ["/mnt/data/aclfile"]}}'

check "mac mentions" \
    '.mac_mentions | sort_by(.path) == [
        {"path": "/etc/udev/rules.d/70-persistent-net.rules", "mac": $mac, "interface": $i},
        {"path": "/opt/vendor/licence.lic", "mac": $mac, "interface": $i}]' \
    --arg mac "$MAC" --arg i "$IFACE"

if [ "$FAILED" != 0 ]; then
    echo "--- facts (without files) ---"
    jq 'del(.files)' "$F" | head -200
    exit 1
fi
echo "PASS: agent-facts"
