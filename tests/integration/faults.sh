#!/bin/bash
# faults.sh: the fault matrix of #5 that copy.sh does not already cover
# (copy.sh: p2vmigrate SIGKILLed, the agent killed, the node filesystem
# full, a file rewritten while read). Here, over real ssh:
#   - the link dropped in the namespace halfway through a big file;
#   - the ssh process killed halfway;
#   - a source file truncated while it is read, and one growing;
#   - permission-denied files on the source (the agent run as a user).
# After each, a rerun completes, the copy is identical to the source, and
# no temporary file is left in or beside the container.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq ssh cmp
need_agent
P2VMIGRATE=$P2V_BUILD_DIR/bin/p2vmigrate
MANIFEST=$P2V_SOURCE_DIR/tests/tools/tree-manifest.sh

source_up faults
VZ=$TEST_TMP/vz
PRIV=$VZ/private/301
node_config "$TEST_TMP/p2v.conf" "$VZ"
export P2V_CONFIG=$TEST_TMP/p2v.conf
BIG=/srv/big.bin   # on the root filesystem: the data partitions are small
# everything but the server's own churn (journal, logs) and the big system dirs
AS_ROOT=(-e "$RSH" "root@$SRC_IP")
EXCL=(--exclude '/usr/*' --exclude '/var/*')

migrate() {   # migrate ARGS...: prints the exit status; output in $TEST_TMP/out, err
    local rc=0
    node_run "$P2VMIGRATE" --json --force "${EXCL[@]}" "$@" 301 >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
    grep '"event":"result"' "$TEST_TMP/out" >"$TEST_TMP/result" || true
    echo "$rc"
}
identical() {   # identical WHAT: the copy equals the source; nothing temporary left
    cmp -s "$SRC_ROOT$BIG" "$PRIV$BIG" || fail "$1: $BIG differs"
    diff <(bash "$MANIFEST" "$SRC_ROOT/srv") <(bash "$MANIFEST" "$PRIV/srv") >"$TEST_TMP/m.diff" ||
        fail "$1: /srv differs: $(head -20 "$TEST_TMP/m.diff")"
    [ ! -e "$PRIV.p2v-tmp" ] || fail "$1: temporary files left in $PRIV.p2v-tmp"
    local t
    t=$(find "$PRIV" -name '.p2v-*' 2>/dev/null | head -3)
    [ -z "$t" ] || fail "$1: temporary files left in the container: $t"
}
background() {   # background ARGS...: start p2vmigrate, wait until a partial file > 20 MiB exists
    ( exec ip netns exec "$NODE_NS" "$P2VMIGRATE" -q --force "${EXCL[@]}" "$@" 301 \
        >/dev/null 2>"$TEST_TMP/bg.err" ) &
    BG=$!
    local _ part=
    for _ in $(seq 1 300); do
        part=$(find "$PRIV.p2v-tmp" -type f -size +20M 2>/dev/null | head -1 || true)
        [ -n "$part" ] && return 0
        sleep 0.1
    done
    kill -9 $BG 2>/dev/null
    fail "never saw a partial file"
}

say "first copy"
head -c $((160 << 20)) /dev/urandom >"$SRC_ROOT$BIG"
rc=$(migrate "${AS_ROOT[@]}")
[ "$rc" = 0 ] || fail "first copy: exit $rc: $(cat "$TEST_TMP/err")"
identical "first copy"

say "the link dropped in the namespace halfway through a file"
head -c $((160 << 20)) /dev/urandom >"$SRC_ROOT$BIG"
background --timeout 5 "${AS_ROOT[@]}"
ip netns exec "$NODE_NS" ip link set dev "$NODE_VETH0" down
rc=0
timeout 120 tail --pid=$BG -f /dev/null || rc=$?
[ "$rc" = 0 ] || fail "p2vmigrate did not give up within 120 s of the link going down"
wait $BG && fail "p2vmigrate succeeded without its link"
say "  p2vmigrate said: $(grep -m1 error "$TEST_TMP/bg.err")"
grep -q "no sign of life" "$TEST_TMP/bg.err" ||
    fail "the error does not say the link went quiet: $(cat "$TEST_TMP/bg.err")"
ip netns exec "$NODE_NS" ip link set dev "$NODE_VETH0" up
for _ in $(seq 1 50); do src_ssh true 2>/dev/null && break; sleep 0.2; done
rc=$(migrate "${AS_ROOT[@]}")
[ "$rc" = 0 ] || fail "rerun after the link came back: exit $rc: $(cat "$TEST_TMP/err")"
[ "$(jq -r .resumed "$TEST_TMP/result")" -ge 1 ] || fail "the interrupted file was not resumed"
identical "link dropped"

say "the ssh process killed halfway through a file"
head -c $((160 << 20)) /dev/urandom >"$SRC_ROOT$BIG"
background "${AS_ROOT[@]}"
sshpid=$(pgrep -P $BG -x ssh | head -1 || true)
[ -n "$sshpid" ] || { kill -9 $BG; fail "no ssh child of p2vmigrate"; }
kill -9 "$sshpid"
wait $BG && fail "p2vmigrate succeeded though its ssh was killed"
say "  p2vmigrate said: $(grep -m1 error "$TEST_TMP/bg.err")"
rc=$(migrate "${AS_ROOT[@]}")
[ "$rc" = 0 ] || fail "rerun after ssh was killed: exit $rc: $(cat "$TEST_TMP/err")"
identical "ssh killed"

say "a source file truncated while it is read"
head -c $((160 << 20)) /dev/urandom >"$SRC_ROOT$BIG"
background "${AS_ROOT[@]}"
truncate -s $((3 << 20)) "$SRC_ROOT$BIG"
wait $BG || true
rc=$(migrate "${AS_ROOT[@]}")
[ "$rc" = 0 ] || fail "rerun after a truncation: exit $rc: $(cat "$TEST_TMP/err")"
identical "truncated while read"

say "a source file growing while it is read"
head -c $((160 << 20)) /dev/urandom >"$SRC_ROOT$BIG"
background "${AS_ROOT[@]}"
head -c $((16 << 20)) /dev/urandom >>"$SRC_ROOT$BIG"
wait $BG || true
rc=$(migrate "${AS_ROOT[@]}")
[ "$rc" = 0 ] || fail "rerun after growth: exit $rc: $(cat "$TEST_TMP/err")"
identical "growing while read"

say "permission-denied files on the source (the agent run as a user)"
src_ssh 'mkdir -p ~alice/.ssh && cp ~root/.ssh/authorized_keys ~alice/.ssh/ && chown -R alice: ~alice/.ssh'
printf 'secret\n' >"$SRC_ROOT/srv/data/secret"
chmod 0600 "$SRC_ROOT/srv/data/secret"
mkdir -p "$SRC_ROOT/srv/data/private"
printf 'x\n' >"$SRC_ROOT/srv/data/private/inside"
chmod 0700 "$SRC_ROOT/srv/data/private"
# (the rerun as root continues the same container: same machine, other login)
rc=$(migrate -e "$RSH" "alice@$SRC_IP")
say "  as alice: exit $rc, not copied $(jq -r .not_copied "$TEST_TMP/result" 2>/dev/null)"
grep -q "srv/data/secret" "$TEST_TMP/err" || fail "the unreadable file is not named: $(tail "$TEST_TMP/err")"
grep -qi "permission denied" "$TEST_TMP/err" || fail "the cause is not given: $(tail "$TEST_TMP/err")"
rc=$(migrate "${AS_ROOT[@]}")
[ "$rc" = 0 ] || fail "rerun as root: exit $rc: $(cat "$TEST_TMP/err")"
identical "permission denied, then root"
cmp -s "$SRC_ROOT/srv/data/secret" "$PRIV/srv/data/secret" || fail "the secret file differs after the root rerun"
say "PASS"
