#!/bin/bash
# demo.sh BUILD_DIR: boot a simulated physical server and show, over real
# ssh as an administrator would see it, the dry run, the copy, a verified
# final pass, and the container booting with LXC on the server's old
# addresses. Everything made is torn down at the end (lib.sh's traps), even
# on Ctrl-C.
P2V_BUILD_DIR=${1:-${P2V_BUILD_DIR:-}}
export P2V_BUILD_DIR
TEST_NAME=demo
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq ssh lxc-start nsenter
need_agent
CT=101
LXC=$TEST_TMP/vz/lxc

say "booting a simulated physical server (first run: debootstrap, a few minutes)"
source_up demo
node_config "$TEST_TMP/p2v.conf" "$TEST_TMP/vz"
printf 'RUNTIME=lxc\nLXC_PATH=%s\n' "$LXC" >>"$TEST_TMP/p2v.conf"
on_cleanup "ct_stop '$LXC' $CT"
# Real quota files on the server's ext4 partition, so the report has quotas.
src_scp "$P2V_SOURCE_DIR/tests/fixtures/quota/vfsv1/aquota.user" /srv/data/aquota.user
echo
echo "\$ p2vmigrate --dry-run root@$SRC_IP 101"
echo
rc=0
P2V_CONFIG=$TEST_TMP/p2v.conf node_run "$P2V_BUILD_DIR/bin/p2vmigrate" --dry-run -e "$RSH" \
    "root@$SRC_IP" 101 || rc=$?
echo
echo "(exit status $rc: 0 possible, 2 not possible, 1 error; add --json for one JSON document)"
[ "$rc" != 1 ] || fail "the dry run failed"

echo
echo "\$ p2vmigrate root@$SRC_IP 101          # copy the running server"
echo
# --force: the simulated server's root is a directory on this machine's
# own disk, so the space estimate counts this whole disk as its data
rc=0
P2V_CONFIG=$TEST_TMP/p2v.conf node_run "$P2V_BUILD_DIR/bin/p2vmigrate" --force -e "$RSH" \
    "root@$SRC_IP" 101 || rc=$?
[ "$rc" = 0 ] || fail "the copy failed"
echo
echo "\$ p2vmigrate --verify root@$SRC_IP 101  # final pass: only changes move, then compare"
echo
rc=0
P2V_CONFIG=$TEST_TMP/p2v.conf node_run "$P2V_BUILD_DIR/bin/p2vmigrate" --force --verify \
    --exclude '/var/log/*' -e "$RSH" "root@$SRC_IP" 101 || rc=$?
[ "$rc" = 0 ] || fail "the final pass or its verification failed"
echo
echo "\$ ssh root@$SRC_IP poweroff              # the server gives up its addresses"
src_stop
echo
echo "\$ lxc-start -P $LXC -n $CT"
in_node lxc-start -P "$LXC" -n "$CT" -l WARN -o "$TEST_TMP/lxc.log" || fail "lxc-start failed: $(tail "$TEST_TMP/lxc.log")"
state=$(ct_wait "$LXC" "$CT")
echo "systemd inside the container: $state"
echo
echo "\$ lxc-attach -n $CT -- ip -o addr show venet0"
ct_run "$LXC" "$CT" ip -o addr show venet0 | awk '{ print "  " $2, $3, $4 }'
for a in "$SRC_IP" "$SRC_IP3" "$SRC_IP6"; do
    echo "\$ ssh root@$a hostname"
    node_run ssh $SSH_OPTS "root@$a" hostname || fail "ssh to $a failed"
done
[ "$state" = running ] || fail "the container is $state"
echo
echo "The server now runs as container $CT (private area $TEST_TMP/vz/private/$CT,"
echo "$(du -sh "$TEST_TMP/vz/private/$CT" | cut -f1)); it is stopped and removed when the demo ends."
