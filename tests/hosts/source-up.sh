#!/bin/bash
# shellcheck disable=SC2034  # host.env and this file set variables for the sourcing scripts
# source-up.sh ID [--suite bookworm|bullseye]
#
# Build and boot a simulated physical Linux server for the integration tests
# and describe it in $P2V_TEST_TMP/ID/host.env (shell-sourceable).
#
# The server is a fresh copy of the cached Debian root (cached-root.sh),
# booted with systemd-nspawn in its own network namespace (the "source").
# A second namespace (the "node") is joined to it by two veth pairs; tests
# run ssh/p2vmigrate there with `ip netns exec $NODE_NS ...`. The source
# raises its own addresses with ifupdown from its /etc/network/interfaces:
#   eth0  198.51.100.10/24, 198.51.100.11/24, 2001:db8:10::10/64
#   eth1  203.0.113.10/24
# and the node side has 198.51.100.1, 2001:db8:10::1 and 203.0.113.1.
# Extra disks are loop devices: ext4 with quotas at /srv/data, xfs at
# /srv/xfs, and one raw device (no filesystem, not mounted).
#
# Every resource is recorded in $P2V_TEST_TMP/ID/state BEFORE it is made, so
# source-down.sh ID can remove exactly what this ID made, even after a
# partial failure. On failure this script tears down what it made itself.
set -euo pipefail

usage() { echo "usage: source-up.sh ID [--suite bookworm|bullseye]" >&2; exit 2; }
die() { echo "source-up: $*" >&2; exit 1; }

[ $# -ge 1 ] || usage
ID=$1; shift
SUITE=bookworm
while [ $# -gt 0 ]; do
    case $1 in
        --suite) [ $# -ge 2 ] || usage; SUITE=$2; shift 2 ;;
        --suite=*) SUITE=${1#--suite=}; shift ;;
        *) usage ;;
    esac
done
case $ID in ''|*/*|.|..) die "bad ID '$ID' (no slashes)";; esac
case $SUITE in bookworm|bullseye) ;; *) die "unsupported suite '$SUITE'";; esac
[ "$(id -u)" = 0 ] || die "must run as root"

HERE=$(cd "$(dirname "$0")" && pwd)
TMPBASE=${P2V_TEST_TMP:-/tmp/p2v-tests}
mkdir -p "$TMPBASE"
TMPBASE=$(cd "$TMPBASE" && pwd -P)
DIR=$TMPBASE/$ID
STATE=$DIR/state
BOOT_TIMEOUT=${P2V_BOOT_TIMEOUT:-90}

for tool in systemd-nspawn ip losetup mkfs.ext4 mkfs.xfs setfattr setfacl setcap \
            ssh ssh-keygen chroot md5sum mountpoint flock; do
    command -v "$tool" >/dev/null 2>&1 || die "missing tool: $tool"
done

# Per-ID names. The tag hashes the absolute tmp dir and the ID so two runs
# with the same ID in different tmp dirs do not collide either.
TAG=$(printf '%s' "$DIR" | md5sum | cut -c1-6)
SRC_NS=p2v${TAG}s
NODE_NS=p2v${TAG}n
NODE_VETH0=p2v${TAG}n0          # node end of the pair whose source end is eth0
NODE_VETH1=p2v${TAG}n1          # node end of the pair whose source end is eth1
MACHINE=p2v-${TAG}
t1=${TAG:0:2} t2=${TAG:2:2} t3=${TAG:4:2}
SRC_MAC_ETH0=02:50:${t1}:${t2}:${t3}:10
SRC_MAC_ETH1=02:50:${t1}:${t2}:${t3}:11
NODE_MAC0=02:50:${t1}:${t2}:${t3}:20
NODE_MAC1=02:50:${t1}:${t2}:${t3}:21
HOSTNAME_=src-$(printf '%s' "$ID" | tr -c 'a-zA-Z0-9-' '-' | tr '[:upper:]' '[:lower:]' | cut -c1-40)
HOSTNAME_=${HOSTNAME_%-}
SRC_IP=198.51.100.10
SRC_IP2=198.51.100.11
SRC_IP3=203.0.113.10
SRC_IP6=2001:db8:10::10
NODE_IP=198.51.100.1
NODE_IP_ETH1=203.0.113.1
NODE_IP6=2001:db8:10::1
ALICE_PASSWORD=alice-p2v-test

# A previous run of this ID (killed by a timeout, say) may have left things.
if [ -e "$DIR" ]; then
    echo "source-up: $DIR exists; tearing down the previous run of '$ID' first" >&2
    "$HERE/source-down.sh" "$ID" || die "could not tear down the previous run of '$ID'"
fi

# The test ranges must be free here (the box's own network is 192.0.2.0/24).
if ip -o addr show | grep -Eq ' (198\.51\.100\.|203\.0\.113\.|2001:db8:10::)'; then
    ip -o addr show | grep -E ' (198\.51\.100\.|203\.0\.113\.|2001:db8:10::)' >&2
    die "test address ranges are in use in the root network namespace"
fi
for ns in "$SRC_NS" "$NODE_NS"; do
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
        die "network namespace $ns already exists (not recorded by this ID; refusing to touch it)"
    fi
done

mkdir -p "$DIR"
: >"$STATE"
record() { echo "$*" >>"$STATE"; }

ok=0
on_exit() {
    if [ $ok != 1 ]; then
        echo "source-up: failed; tearing down '$ID'" >&2
        if [ -f "$DIR/console.log" ]; then
            echo "---- console log tail ($DIR/console.log) ----" >&2
            tail -n 40 "$DIR/console.log" | sed 's/\x1b\[[0-9;]*m//g' >&2 || true
            echo "---- end ----" >&2
        fi
        "$HERE/source-down.sh" "$ID" || true
    fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$(date +%s.%N)

# ---------------------------------------------------------------- the root
cache_root=$("$HERE/cached-root.sh" "$SUITE")
[ -f "$cache_root/.complete" ] || die "cached root $cache_root is incomplete"
ROOT=$DIR/root
record "root $ROOT"
cp -a "$cache_root" "$ROOT"
rm -f "$ROOT/.complete"

# Identity: hostname, hosts, resolver, machine-id, fresh ssh host keys.
echo "$HOSTNAME_" >"$ROOT/etc/hostname"
cat >"$ROOT/etc/hosts" <<EOF
127.0.0.1	localhost
$SRC_IP	$HOSTNAME_.example.test $HOSTNAME_
::1	localhost ip6-localhost ip6-loopback
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
EOF
rm -f "$ROOT/etc/resolv.conf"
printf 'search example.test\nnameserver 198.51.100.53\n' >"$ROOT/etc/resolv.conf"
tr -d '-' </proc/sys/kernel/random/uuid >"$ROOT/etc/machine-id"
rm -f "$ROOT"/etc/ssh/ssh_host_*
ssh-keygen -q -A -f "$ROOT" >/dev/null

# Root login by key only; one key pair per ID.
SSH_KEY=$DIR/id_ed25519
ssh-keygen -q -t ed25519 -N '' -C "p2v-test-$ID" -f "$SSH_KEY"
install -d -m 700 "$ROOT/root/.ssh"
install -m 600 "$SSH_KEY.pub" "$ROOT/root/.ssh/authorized_keys"
cat >"$ROOT/etc/ssh/sshd_config.d/p2v-test.conf" <<'EOF'
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
EOF

# A user with a password.
chroot "$ROOT" useradd -m -u 1000 -s /bin/bash alice
echo "alice:$ALICE_PASSWORD" | chroot "$ROOT" chpasswd

# Network: ifupdown raises the addresses itself at boot.
cat >"$ROOT/etc/network/interfaces" <<EOF
# interfaces(5) file used by ifup(8) and ifdown(8)
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

auto eth0
iface eth0 inet static
	address $SRC_IP/24
	gateway $NODE_IP
iface eth0 inet static
	address $SRC_IP2/24
iface eth0 inet6 static
	address $SRC_IP6/64
	dad-attempts 0

auto eth1
iface eth1 inet static
	address $SRC_IP3/24
EOF

# SELinux configured enforcing (the kernel has none; only the config matters).
mkdir -p "$ROOT/etc/selinux"
cat >"$ROOT/etc/selinux/config" <<'EOF'
# This file controls the state of SELinux on the system.
SELINUX=enforcing
SELINUXTYPE=targeted
EOF

# A licence file bound to eth0's MAC address.
mkdir -p "$ROOT/opt/licence"
printf 'PRODUCT=p2v-test-app\nHWADDR=%s\n' "$SRC_MAC_ETH0" >"$ROOT/opt/licence/app.lic"

# --------------------------------------------------------------- the disks
# Image files live in the tmp dir; each is recorded before it is attached
# so source-down can find the loop device by its backing file too.
attach() { # NAME SIZE -> prints /dev/loopN
    local img=$DIR/$1.img dev
    truncate -s "$2" "$img"
    record "image $img"
    dev=$(losetup --find --show "$img")
    record "loop $dev $img"
    echo "$dev"
}
LOOP_EXT4=$(attach data-ext4 128M)
LOOP_XFS=$(attach data-xfs 320M)
LOOP_RAW=$(attach raw 16M)
mkfs.xfs -q -f -L p2v-xfs "$LOOP_XFS"
UUID_XFS=$(blkid -s UUID -o value "$LOOP_XFS")

# Mounted on the host under the root before boot; nspawn binds the root
# recursively, so the server sees them in its mountinfo with their
# /dev/loopN source. The device nodes are bound into its /dev too.
mkdir -p "$ROOT/srv/data" "$ROOT/srv/xfs"
record "mount $ROOT/srv/data"
# ext4 with quotas where the kernel has them (CONFIG_QUOTA); plain otherwise.
EXT4_QUOTA=yes
EXT4_OPTS=usrquota,grpquota
mkfs.ext4 -q -F -L p2v-data -O quota -E quotatype=usrquota:grpquota "$LOOP_EXT4"
if ! mount -o "$EXT4_OPTS" "$LOOP_EXT4" "$ROOT/srv/data" 2>/dev/null; then
    echo "source-up: kernel without ext4 quota support; /srv/data is ext4 without quotas" >&2
    EXT4_QUOTA=no
    EXT4_OPTS=defaults
    mkfs.ext4 -q -F -L p2v-data "$LOOP_EXT4"
    mount "$LOOP_EXT4" "$ROOT/srv/data"
fi
UUID_EXT4=$(blkid -s UUID -o value "$LOOP_EXT4")
record "mount $ROOT/srv/xfs"
mount "$LOOP_XFS" "$ROOT/srv/xfs"
cat >>"$ROOT/etc/fstab" <<EOF
# data disks (loop devices in the test; noauto: mounted before boot)
UUID=$UUID_EXT4 /srv/data ext4 $EXT4_OPTS,noauto 0 2
UUID=$UUID_XFS /srv/xfs xfs noauto 0 2
EOF

# The device nodes inside the server: created by its own systemd-tmpfiles
# at boot (a bind of the host node would show up in its mountinfo as an
# extra devtmpfs mount, which a real server does not have).
for dev in "$LOOP_EXT4" "$LOOP_XFS" "$LOOP_RAW"; do
    printf "b %s 0660 root disk - %d:%d\n" "$dev" $((0x$(stat -c %t "$dev"))) $((0x$(stat -c %T "$dev")))
done >"$ROOT/etc/tmpfiles.d/p2v-test-disks.conf"

# ------------------------------------------- xattrs, ACLs, file capabilities
printf 'payload\n' >"$ROOT/srv/data/xattr.txt"
setfattr -n user.p2v.test -v data-xattr "$ROOT/srv/data/xattr.txt"
printf 'shared\n' >"$ROOT/srv/data/acl.txt"
setfacl -m u:1000:rwx "$ROOT/srv/data/acl.txt"
mkdir -p "$ROOT/srv/data/acldir"
setfacl -m u:1000:rwx -m d:u:1000:rwx "$ROOT/srv/data/acldir"
cp "$ROOT/usr/bin/true" "$ROOT/srv/data/captool"
setcap cap_net_raw+ep "$ROOT/srv/data/captool"
printf 'on xfs\n' >"$ROOT/srv/xfs/xattr.txt"
setfattr -n user.p2v.test -v xfs-xattr "$ROOT/srv/xfs/xattr.txt"
setfattr -n user.p2v.test -v licence "$ROOT/opt/licence/app.lic"
setfacl -m u:1000:rwx "$ROOT/opt/licence/app.lic"
cp "$ROOT/usr/bin/true" "$ROOT/usr/local/bin/p2v-captool"
setcap cap_net_raw+ep "$ROOT/usr/local/bin/p2v-captool"
chown -R 1000:1000 "$ROOT/home/alice"
printf 'notes\n' >"$ROOT/home/alice/notes.txt"
chown 1000:1000 "$ROOT/home/alice/notes.txt"
setfattr -n user.p2v.test -v home "$ROOT/home/alice/notes.txt"

# ------------------------------------------------------------ the network
record "netns $SRC_NS"
ip netns add "$SRC_NS"
record "netns $NODE_NS"
ip netns add "$NODE_NS"
# Both ends are created directly inside the namespaces: nothing of this ID
# ever appears in the root namespace.
record "veth $NODE_NS $NODE_VETH0"
ip link add "$NODE_VETH0" address "$NODE_MAC0" netns "$NODE_NS" type veth \
    peer name eth0 address "$SRC_MAC_ETH0" netns "$SRC_NS"
record "veth $NODE_NS $NODE_VETH1"
ip link add "$NODE_VETH1" address "$NODE_MAC1" netns "$NODE_NS" type veth \
    peer name eth1 address "$SRC_MAC_ETH1" netns "$SRC_NS"
ip -n "$NODE_NS" link set lo up
ip -n "$NODE_NS" link set "$NODE_VETH0" up
ip -n "$NODE_NS" link set "$NODE_VETH1" up
ip -n "$NODE_NS" addr add "$NODE_IP/24" dev "$NODE_VETH0"
ip -n "$NODE_NS" addr add "$NODE_IP6/64" dev "$NODE_VETH0" nodad
ip -n "$NODE_NS" addr add "$NODE_IP_ETH1/24" dev "$NODE_VETH1"
# The source's eth0/eth1 stay down: its own ifupdown raises them.

# ------------------------------------------------------------------- boot
CONSOLE=$DIR/console.log
# setsid: the server is not in our process group, so a Ctrl-C reaches only
# this script, whose trap shuts the server down in order.
setsid systemd-nspawn --quiet --register=no --keep-unit -b \
    --machine="$MACHINE" -D "$ROOT" \
    --capability=CAP_NET_ADMIN \
    --network-namespace-path="/run/netns/$SRC_NS" \
    --link-journal=no --resolv-conf=off --timezone=off \
    </dev/null >"$CONSOLE" 2>&1 &
NSPAWN_PID=$!
record "pid $NSPAWN_PID $MACHINE"

SSH_OPTS="-i $SSH_KEY -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
RSH="ssh $SSH_OPTS"
deadline=$(( $(date +%s) + BOOT_TIMEOUT ))
while :; do
    if ! kill -0 "$NSPAWN_PID" 2>/dev/null; then
        die "systemd-nspawn exited during boot"
    fi
    # shellcheck disable=SC2086
    if ip netns exec "$NODE_NS" ssh $SSH_OPTS -o ConnectTimeout=2 "root@$SRC_IP" true 2>/dev/null; then
        break
    fi
    [ "$(date +%s)" -lt "$deadline" ] || die "sshd on $SRC_IP did not answer within ${BOOT_TIMEOUT}s"
    sleep 0.5
done
# The disks device nodes come from the server's own tmpfiles at boot.
# shellcheck disable=SC2086
ip netns exec "$NODE_NS" ssh $SSH_OPTS "root@$SRC_IP" "test -b $LOOP_EXT4 && test -b $LOOP_XFS && test -b $LOOP_RAW" \
    || die "the loop device nodes are missing inside the server"
boot_seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# ------------------------------------------------------------- host.env
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
    echo "# host.env for simulated source '$ID' (written by source-up.sh)"
    for v in ID SUITE TAG DIR ROOT MACHINE HOSTNAME_ SRC_NS NODE_NS NODE_VETH0 NODE_VETH1 \
             SRC_IP SRC_IP2 SRC_IP3 SRC_IP6 NODE_IP NODE_IP_ETH1 NODE_IP6 \
             SRC_MAC_ETH0 SRC_MAC_ETH1 NODE_MAC0 NODE_MAC1 \
             SSH_KEY SSH_OPTS RSH LOOP_EXT4 LOOP_XFS LOOP_RAW UUID_EXT4 UUID_XFS EXT4_QUOTA \
             CONSOLE NSPAWN_PID ALICE_PASSWORD; do
        case $v in
            ID|SUITE|TAG|DIR|ROOT|MACHINE|CONSOLE) name=SRC_$v ;;
            HOSTNAME_) name=SRC_HOSTNAME ;;
            LOOP_*|UUID_*|EXT4_QUOTA) name=SRC_$v ;;
            NSPAWN_PID) name=SRC_PID ;;
            *) name=$v ;;
        esac
        echo "$name=$(q "${!v}")"
    done
    echo "SRC_SSH=$(q "root@$SRC_IP")"
    echo "SRC_DATA_MNT='/srv/data'"
    echo "SRC_XFS_MNT='/srv/xfs'"
    echo "SRC_LICENCE='/opt/licence/app.lic'"
    echo "SRC_BOOT_SECONDS=$(q "$boot_seconds")"
} >"$DIR/host.env.tmp"
mv "$DIR/host.env.tmp" "$DIR/host.env"

ok=1
echo "source-up: '$ID' ($SUITE) is up at $SRC_IP in $boot_seconds s; env in $DIR/host.env" >&2
