#!/bin/bash
# channels.sh: files carried over several ssh sessions at once (issue #3:
# one ssh channel moves at most its 2 MiB window per round trip). Over real
# ssh from the node namespace: --channels N copies an identical tree; on a
# long link (tests/tools/delayline adds the delay as ssh's ProxyCommand:
# this kernel has no netem) p2vmigrate picks several channels by itself;
# one channel's agent killed, or p2vmigrate killed, mid-copy resumes to an
# identical tree with no temporary file left. No timing is asserted.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq ssh
need_agent
P2VMIGRATE=$P2V_BUILD_DIR/bin/p2vmigrate
DELAYLINE=$P2V_BUILD_DIR/bin/delayline
MANIFEST=$P2V_SOURCE_DIR/tests/tools/tree-manifest.sh
[ -x "$DELAYLINE" ] || fail "no $DELAYLINE: build the tests first"

source_up channels
TREE=/srv/xfs/tree
say "making the fidelity tree and 6 files of 12 MiB on the server"
bash "$P2V_SOURCE_DIR/tests/hosts/make-tree.sh" "$SRC_ROOT$TREE" --profile fidelity >/dev/null
for i in 1 2 3 4 5 6; do head -c $((12 << 20)) /dev/urandom >"$SRC_ROOT/srv/data/big$i.bin"; done

VZ=$TEST_TMP/vz
node_config "$TEST_TMP/p2v.conf" "$VZ"
export P2V_CONFIG=$TEST_TMP/p2v.conf
on_cleanup "chattr -R -ia '$TEST_TMP' 2>/dev/null || true"
# the Debian root's /usr and /var add time, not cases
SKIP=(--exclude '/usr/*' --exclude '/var/*')
slow_rsh() { echo "$RSH -o \"ProxyCommand=$DELAYLINE --delay-ms $1 %h %p\""; }

migrate() {   # migrate CTID RSH ARGS...: exit code; result in $TEST_TMP/result
    local ctid=$1 rsh=$2 rc=0
    shift 2
    node_run "$P2VMIGRATE" --json --no-convert "${SKIP[@]}" -e "$rsh" "$@" "root@$SRC_IP" "$ctid" \
        >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
    grep '"event":"result"' "$TEST_TMP/out" >"$TEST_TMP/result" || true
    echo "$rc"
}
result() { jq -r "$1" "$TEST_TMP/result"; }
same_tree() {   # same_tree CTID WHAT
    local priv=$VZ/private/$1
    diff <(bash "$MANIFEST" "$SRC_ROOT$TREE") <(bash "$MANIFEST" "$priv$TREE") >"$TEST_TMP/m.diff" ||
        fail "$2: the copy differs from the source: $(head -20 "$TEST_TMP/m.diff")"
    for i in 1 2 3 4 5 6; do
        cmp -s "$SRC_ROOT/srv/data/big$i.bin" "$priv/srv/data/big$i.bin" || fail "$2: big$i.bin differs"
    done
    [ ! -e "$priv.p2v-tmp" ] || fail "$2: temporary files left: $(ls -A "$priv.p2v-tmp" | head -3)"
}
wait_partial() {   # wait_partial CTID: until a temporary file holds 1 MiB
    for _ in $(seq 1 400); do
        [ -n "$(find "$VZ/private/$1.p2v-tmp" -type f -size +1M 2>/dev/null | head -1)" ] && return 0
        sleep 0.05
    done
    return 1
}

src_agents() {   # the agents serving files on the server, oldest first
    # processes come and go while this looks (ssh sessions): one that
    # vanishes is skipped, never an error
    local p cmd st
    for p in $(ip netns pids "$SRC_NS"); do
        cmd=$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null) || continue
        case $cmd in *'p2v-agent --serve'*) ;; *) continue ;; esac
        st=$({ awk '{ print $22 }' "/proc/$p/stat"; } 2>/dev/null) || continue
        if [ -n "$st" ]; then echo "$st $p"; fi
    done | sort -n | awk '{ print $2 }'
}
wait_agents() {   # wait_agents N: until N agents serve
    for _ in $(seq 1 400); do
        [ "$(src_agents | wc -l)" -ge "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

say "bad values are refused before anything happens"
rc=$(migrate 100 "$RSH" --channels 9)
assert_eq 1 "$rc" "--channels 9"
assert_contains "$(cat "$TEST_TMP/err")" "--channels \`9\`: give a number from 1 to 8"
rc=0
node_run "$P2VMIGRATE" --start --no-convert -e "$RSH" "root@$SRC_IP" 100 2>"$TEST_TMP/err" || rc=$?
assert_eq 1 "$rc" "--start with --no-convert"
assert_contains "$(cat "$TEST_TMP/err")" "contradict"
[ ! -e "$VZ/private/100" ] || fail "a refused run created the private area"

say "--channels 3 on the LAN: an identical copy carried by 3 sessions"
rc=$(migrate 101 "$RSH" --channels 3 -vv)
[ "$rc" = 0 ] || fail "exit $rc: $(cat "$TEST_TMP/err")"
assert_eq 3 "$(result .channels)" "channels that carried files"
same_tree 101 "--channels 3"
# the agent is read, checked and packed once: later channels send the same bytes
ups=$(grep -c 'uploading the agent' "$TEST_TMP/err" || true)
again=$(grep -c 'uploading the agent.*, as before)' "$TEST_TMP/err" || true)
[ "$ups" = 3 ] && [ "$again" = 2 ] ||
    fail "3 channels: $ups uploads, $again of them the kept bytes (want 3 and 2)"
rc=$(migrate 101 "$RSH" --channels 3)
[ "$rc" = 0 ] || fail "sync exit $rc: $(cat "$TEST_TMP/err")"
[ "$(result .files_copied)" -le 3 ] || fail "a sync of an idle server copied $(result .files_copied) files"

say "a 30 ms round trip (delayline): p2vmigrate opens more channels by itself"
rc=$(migrate 102 "$(slow_rsh 15)")
[ "$rc" = 0 ] || fail "exit $rc: $(cat "$TEST_TMP/err")"
assert_contains "$(cat "$TEST_TMP/err")" "round trip to root@$SRC_IP"
[ "$(result .channels)" -ge 3 ] || fail "only $(result .channels) channels on a 30 ms link: $(grep 'round trip' "$TEST_TMP/err")"
same_tree 102 "automatic channels"

say "on the LAN the automatic choice stays at one channel"
rc=$(migrate 103 "$RSH")
[ "$rc" = 0 ] || fail "exit $rc: $(cat "$TEST_TMP/err")"
assert_eq 1 "$(result .channels)" "channels on the LAN"

say "one channel's agent killed mid-copy: a clear error, then a resume"
( exec ip netns exec "$NODE_NS" "$P2VMIGRATE" -q --no-convert "${SKIP[@]}" --channels 3 \
    -e "$(slow_rsh 150)" "root@$SRC_IP" 104 >/dev/null 2>"$TEST_TMP/killed.err" ) &
pid=$!
wait_agents 3 || { kill -9 $pid; fail "never saw 3 agents serving"; }
wait_partial 104 || { kill -9 $pid; fail "never saw a partial file to interrupt"; }
# the newest agent is an extra channel's (the first one lists)
victim=$(src_agents | tail -n 1)
kill -9 "$victim"
rc=0
wait $pid || rc=$?
assert_eq 1 "$rc" "p2vmigrate exit when one channel's agent is killed ($(tail -20 "$TEST_TMP/killed.err"))"
assert_contains "$(cat "$TEST_TMP/killed.err")" "channel"
rc=$(migrate 104 "$(slow_rsh 150)" --channels 3)
[ "$rc" = 0 ] || fail "rerun after a channel's agent was killed: exit $rc: $(cat "$TEST_TMP/err")"
same_tree 104 "resume after a channel's agent was killed"

say "p2vmigrate SIGKILLed during a 3-channel copy, then resumed"
( exec ip netns exec "$NODE_NS" "$P2VMIGRATE" -q --no-convert "${SKIP[@]}" --channels 3 \
    -e "$(slow_rsh 150)" "root@$SRC_IP" 105 >/dev/null 2>&1 ) &
pid=$!
wait_partial 105 || { kill -9 $pid; fail "never saw a partial file to interrupt"; }
kill -9 $pid
wait $pid 2>/dev/null || true
rc=$(migrate 105 "$(slow_rsh 150)" --channels 3)
[ "$rc" = 0 ] || fail "resume exit $rc: $(cat "$TEST_TMP/err")"
same_tree 105 "resume after SIGKILL"
[ "$(result .resumed)" -ge 1 ] || fail "the rerun resumed no partial file"
say "ok"
