#!/bin/bash
# valgrind.sh: p2vmigrate and the agent are valgrind-clean (memcheck: no
# invalid access, no use of uninitialised memory, no definite leak) on the
# end-to-end path (#5).
#   - p2vmigrate under valgrind over real ssh: dry run, copy, incremental
#     sync, conversion;
#   - the agent (p2v-agent-dynamic: the same sources linked dynamically,
#     since valgrind cannot watch a static binary's heap) under valgrind:
#     --facts, and --serve driven by tests/tools/xfer-driver (listing,
#     whole, delta and resume transfers).
. "$(dirname "$0")/lib.sh"
need_root
need_cmd valgrind jq ssh cmp
need_agent
P2VMIGRATE=$P2V_BUILD_DIR/bin/p2vmigrate
AGENT_DYN=$P2V_BUILD_DIR/bin/p2v-agent-dynamic
DRIVER=$P2V_BUILD_DIR/bin/xfer-driver
[ -x "$AGENT_DYN" ] || skip "no p2v-agent-dynamic (a sanitizer build has no valgrind run)"
[ -x "$DRIVER" ] || fail "no xfer-driver in $P2V_BUILD_DIR"
rm -rf "$TEST_TMP"
mkdir -p "$TEST_TMP/vg"
VG=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite --track-origins=yes)
vg_check() {   # vg_check WHAT: no valgrind error report in $TEST_TMP/vg
    # Errors are "==PID==" reports of these kinds; valgrind's own notes
    # ("--PID--" lines, or "==PID== Warning: noted but unhandled ioctl")
    # are not: it does not know openat2 (437), answers ENOSYS, and
    # destfs/ctfs then take their O_NOFOLLOW walk, which is checked too.
    local errs n
    n=$(ls "$TEST_TMP"/vg | wc -l)
    [ "$n" -gt 0 ] || fail "$1: valgrind wrote no log: did it run?"
    errs=$(cat "$TEST_TMP"/vg/* 2>/dev/null | grep -E '^==[0-9]+== ' |
        grep -E 'Invalid (read|write|free)|uninitialised|Syscall param|Mismatched free|overlap|definitely lost|Process terminating|Jump to the invalid' || true)
    [ -z "$errs" ] || fail "$1: valgrind found errors: $(cat "$TEST_TMP"/vg/* | head -60)"
    say "$1: valgrind-clean ($n processes watched)"
}

say "the agent: --facts under valgrind"
"${VG[@]}" --log-file="$TEST_TMP/vg/facts.%p" "$AGENT_DYN" --facts --no-scan >"$TEST_TMP/facts.json" ||
    fail "the agent's --facts under valgrind exited $?"
jq -e .schema "$TEST_TMP/facts.json" >/dev/null || fail "--facts did not print JSON"
vg_check "agent --facts"

say "the agent: --serve under valgrind (list, whole, delta, resume)"
T=$TEST_TMP/tree
O=$TEST_TMP/out
mkdir -p "$T/dir" "$O"
head -c 3000000 /dev/urandom >"$T/big"
printf 'hello\n' >"$T/dir/small"
ln -s ../big "$T/dir/link"
ln "$T/dir/small" "$T/hard"
truncate -s 8M "$T/sparse"
printf 'x' | dd of="$T/sparse" bs=1 seek=4000000 conv=notrunc status=none
head -c 1000000 "$T/big" >"$O/partial"
cp "$T/big" "$O/basis"
printf 'CHANGED' | dd of="$O/basis" bs=1 seek=1234567 conv=notrunc status=none
cat >"$TEST_TMP/vg-agent" <<EOF
#!/bin/sh
exec ${VG[*]} --log-file=$TEST_TMP/vg/serve.%p $AGENT_DYN "\$@"
EOF
chmod +x "$TEST_TMP/vg-agent"
"$DRIVER" "$TEST_TMP/vg-agent" "$T" \
    whole big "$O/big.whole" delta big "$O/basis" "$O/big.delta" \
    resume big "$O/partial" "$O/big.resume" whole sparse "$O/sparse" \
    >"$TEST_TMP/xfer.txt" 2>"$TEST_TMP/xfer.err" || fail "driver failed: $(cat "$TEST_TMP/xfer.err")"
for f in big.whole big.delta big.resume; do cmp -s "$T/big" "$O/$f" || fail "$f differs"; done
cmp -s "$T/sparse" "$O/sparse" || fail "sparse differs"
grep -q '^entry dir/link ' "$TEST_TMP/xfer.txt" || fail "the listing lacks dir/link"
vg_check "agent --serve"

say "p2vmigrate under valgrind over ssh: dry run, copy, sync, conversion"
source_up valgrind
VZ=$TEST_TMP/vz
node_config "$TEST_TMP/p2v.conf" "$VZ"
export P2V_CONFIG=$TEST_TMP/p2v.conf
run() {   # run WHAT ARGS...: p2vmigrate under valgrind in the node namespace
    local what=$1 rc=0
    shift
    node_run "${VG[@]}" --log-file="$TEST_TMP/vg/p2vmigrate-$what.%p" "$P2VMIGRATE" "$@" \
        -e "$RSH" "root@$SRC_IP" 201 >"$TEST_TMP/$what.out" 2>"$TEST_TMP/$what.err" || rc=$?
    echo "$rc"
}
rc=$(run dryrun --dry-run --json)
[ "$rc" != 1 ] && [ "$rc" != 99 ] || fail "dry run under valgrind: exit $rc: $(tail "$TEST_TMP/dryrun.err")"
rc=$(run copy --force --exclude '/usr/*' --exclude '/var/*')
[ "$rc" = 0 ] || fail "copy under valgrind: exit $rc: $(tail "$TEST_TMP/copy.err")"
echo "changed" >>"$SRC_ROOT/etc/motd"
rc=$(run sync --json --force --exclude '/usr/*' --exclude '/var/*')
[ "$rc" = 0 ] || fail "sync under valgrind: exit $rc: $(tail "$TEST_TMP/sync.err")"
cmp -s "$SRC_ROOT/etc/motd" "$VZ/private/201/etc/motd" || fail "the sync under valgrind missed /etc/motd"
grep -q '"conversion":{"status":"done"' "$TEST_TMP/sync.out" || fail "no conversion in the sync's result"
vg_check "p2vmigrate"
say "PASS"
