#!/bin/bash
# source-smoke: the simulated physical server (tests/hosts/source-up.sh) is
# what the other integration tests assume: reachable by ssh from the node
# namespace, its own addresses, loop-device disks, a raw disk, xattrs, ACLs
# and file capabilities; the static agent runs on it and prints JSON; and
# source-down.sh leaves nothing behind.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq ssh scp ip losetup systemd-nspawn
need_agent

ID=source-smoke
source_up "$ID"

# --- the host itself -----------------------------------------------------
assert_eq "$SRC_HOSTNAME" "$(src_ssh hostname)" "hostname"

addrs=$(src_ssh 'ip -o addr show')
for a in "$SRC_IP/24" "$SRC_IP2/24" "$SRC_IP6/64"; do
    assert_contains "$(echo "$addrs" | awk '$2 == "eth0"')" "$a" "eth0 address"
done
assert_contains "$(echo "$addrs" | awk '$2 == "eth1"')" "$SRC_IP3/24" "eth1 address"
links=$(src_ssh 'ip -o link show')
assert_contains "$(echo "$links" | grep -E ' eth0[@:]')" "link/ether $SRC_MAC_ETH0" "eth0 MAC"
assert_contains "$(echo "$links" | grep -E ' eth1[@:]')" "link/ether $SRC_MAC_ETH1" "eth1 MAC"
# configured by the server itself (ifupdown), not from outside
assert_eq active "$(src_ssh 'systemctl is-active networking.service')" "networking.service"
# the other addresses answer too
# shellcheck disable=SC2086  # SSH_OPTS is a list of options
node_run ssh $SSH_OPTS -o ConnectTimeout=5 "root@$SRC_IP3" true || fail "no ssh on $SRC_IP3 (eth1)"
# shellcheck disable=SC2086  # SSH_OPTS is a list of options
node_run ssh $SSH_OPTS -o ConnectTimeout=5 "root@$SRC_IP6" true || fail "no ssh on $SRC_IP6 (IPv6)"

mi=$(src_ssh 'cat /proc/self/mountinfo')
data=$(echo "$mi" | awk '$5 == "/srv/data"')
assert_contains "$data" " - ext4 $SRC_LOOP_EXT4 " "/srv/data in mountinfo"
xfs=$(echo "$mi" | awk '$5 == "/srv/xfs"')
assert_contains "$xfs" " - xfs $SRC_LOOP_XFS " "/srv/xfs in mountinfo"
for d in "$SRC_LOOP_EXT4" "$SRC_LOOP_XFS" "$SRC_LOOP_RAW"; do
    src_ssh "test -b $d" || fail "no block device node $d inside the server"
done
assert_eq ext4 "$(src_ssh "blkid -s TYPE -o value $SRC_LOOP_EXT4")" "blkid of $SRC_LOOP_EXT4"
assert_eq xfs "$(src_ssh "blkid -s TYPE -o value $SRC_LOOP_XFS")" "blkid of $SRC_LOOP_XFS"
assert_eq "" "$(src_ssh "blkid -p -o value -s TYPE $SRC_LOOP_RAW || true")" "raw device has no filesystem"
sources=$(echo "$mi" | awk '{ for (i = 1; i <= NF; i++) if ($i == "-") print $(i + 2) }')
echo "$sources" | grep -qx "$SRC_LOOP_RAW" && fail "raw device $SRC_LOOP_RAW is mounted"
assert_eq "" "$(echo "$mi" | awk '$5 ~ /^\/dev\/loop/')" "no bind-mounted device nodes"
assert_contains "$(src_ssh 'cat /etc/fstab')" "UUID=$SRC_UUID_EXT4 /srv/data ext4" "fstab"

assert_eq data-xattr "$(src_ssh 'getfattr --absolute-names --only-values -n user.p2v.test /srv/data/xattr.txt')" "xattr on /srv/data"
assert_eq xfs-xattr "$(src_ssh 'getfattr --absolute-names --only-values -n user.p2v.test /srv/xfs/xattr.txt')" "xattr on /srv/xfs"
assert_contains "$(src_ssh 'getfacl -p /srv/data/acl.txt')" "user:alice:rwx" "ACL on /srv/data"
assert_contains "$(src_ssh 'getfacl -p /opt/licence/app.lic')" "user:alice:rwx" "ACL on the licence"
assert_contains "$(src_ssh 'getcap /srv/data/captool')" "cap_net_raw=ep" "file capability on /srv/data"
assert_contains "$(src_ssh 'getcap /usr/local/bin/p2v-captool')" "cap_net_raw=ep" "file capability on /"

assert_contains "$(src_ssh 'cat /opt/licence/app.lic')" "HWADDR=$SRC_MAC_ETH0" "licence names eth0's MAC"
sel=$(src_ssh 'cat /etc/selinux/config')
assert_contains "$sel" "SELINUX=enforcing" "selinux config"
assert_contains "$sel" "SELINUXTYPE=targeted" "selinux config"
resolv=$(src_ssh 'cat /etc/resolv.conf')
assert_contains "$resolv" "nameserver 198.51.100.53" "resolv.conf"
assert_contains "$resolv" "search example.test" "resolv.conf"
assert_eq "uid=1000(alice) gid=1000(alice) groups=1000(alice)" "$(src_ssh 'id alice')" "user alice"
assert_contains "$(src_ssh 'getent shadow alice | cut -d: -f2')" '$' "alice has a password hash"
# shellcheck disable=SC2016  # expanded on the server
assert_contains "$(src_ssh 'getent hosts "$(hostname)"')" "$SRC_IP" "/etc/hosts names the host"

# --- the static agent ------------------------------------------------------
src_scp "$P2V_AGENT" /tmp/p2v-agent
facts=$TEST_TMP/facts.json
src_ssh '/tmp/p2v-agent --facts' >"$facts" || fail "p2v-agent --facts exited $?"
jq -e . "$facts" >/dev/null || fail "p2v-agent --facts printed invalid JSON"
assert_json '.schema == 1' "$facts"
assert_json '.agent.euid == 0' "$facts"
# Collectors are being written; check each member once it exists.
has() { jq -e "has(\"$1\")" "$facts" >/dev/null; }
if has hostname; then assert_json ".hostname == \"$SRC_HOSTNAME\"" "$facts"; else say "facts: no hostname member yet"; fi
if has interfaces; then
    assert_json ".interfaces[] | select(.name == \"eth0\") | .mac == \"$SRC_MAC_ETH0\"" "$facts"
    assert_json "[.interfaces[] | select(.name == \"eth0\") | .addresses[].address] | index(\"$SRC_IP2\") != null" "$facts"
else say "facts: no interfaces member yet"; fi
if has block_devices; then
    assert_json "[.block_devices[] | select(.path == \"$SRC_LOOP_EXT4\") | .blkid.TYPE] == [\"ext4\"]" "$facts"
else say "facts: no block_devices member yet"; fi
if has mac_mentions; then
    assert_json '[.mac_mentions[] | select(.path == "/opt/licence/app.lic")] | length > 0' "$facts"
else say "facts: no mac_mentions member yet"; fi
say "agent: $(jq -c 'keys' "$facts")"

# --- teardown leaves nothing -----------------------------------------------
source_down "$ID"
left=""
ip netns list | awk '{print $1}' | grep -qx "$SRC_NS" && left+=" netns:$SRC_NS"
ip netns list | awk '{print $1}' | grep -qx "$NODE_NS" && left+=" netns:$NODE_NS"
ip -o link show | grep -q "p2v$SRC_TAG" && left+=" veth:p2v$SRC_TAG*"
losetup -a | grep -q "$SRC_DIR/" && left+=" loop:$(losetup -a | grep "$SRC_DIR/" | cut -d: -f1 | tr '\n' ' ')"
grep -q " $SRC_DIR/" /proc/self/mountinfo && left+=" mounts"
if [ -r "/proc/$SRC_PID/cmdline" ] && tr '\0' ' ' <"/proc/$SRC_PID/cmdline" | grep -q -- "--machine=$SRC_MACHINE "; then
    left+=" process:$SRC_PID"
fi
for p in /proc/[0-9]*; do
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "--machine=$SRC_MACHINE "; then left+=" process:${p#/proc/}"; fi
done
[ -e "$SRC_DIR" ] && left+=" dir:$SRC_DIR"
[ -e "/run/systemd/nspawn/propagate/$SRC_MACHINE" ] && left+=" /run/systemd/nspawn/propagate/$SRC_MACHINE"
[ -z "$left" ] || fail "left behind after source-down:$left"
# idempotent
"$P2V_HOSTS/source-down.sh" "$ID" || fail "second source-down failed"
say "teardown left nothing"
