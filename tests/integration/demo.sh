#!/bin/bash
# demo.sh BUILD_DIR: boot a simulated physical server and show the dry run
# against it over real ssh, as an administrator would see it. Everything
# made is torn down at the end (lib.sh's traps), even on Ctrl-C.
P2V_BUILD_DIR=${1:-${P2V_BUILD_DIR:-}}
export P2V_BUILD_DIR
TEST_NAME=demo
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq ssh
need_agent

say "booting a simulated physical server (first run: debootstrap, a few minutes)"
source_up demo
cat >"$TEST_TMP/p2v.conf" <<CONF
VE_PRIVATE=$TEST_TMP/vz/private/\$VEID
VZ_CONF_DIR=$TEST_TMP/vz/conf
P2V_STATE_DIR=$TEST_TMP/vz/state
RUNTIME=none
AGENT_BINARY=$P2V_AGENT
CONF
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
