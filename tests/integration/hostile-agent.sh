#!/bin/bash
# hostile-agent.sh: p2vmigrate against an agent that lies (issue #5, "A
# malicious agent"). tests/tools/evil-agent.c speaks the protocol with
# libp2v's encoders; EVIL_CASE picks the lie. It runs on this machine
# through tests/tools/local-rsh, with a node config keeping everything in
# a directory per case (RUNTIME=none). Every case must:
#   - end with the expected exit status (1 but where said) and a message
#     naming the problem;
#   - not crash (no signal, no sanitizer report: the ASan build runs this
#     suite again), not hang (timeout 60: 124 fails), stay under 300 MB of
#     RSS (/usr/bin/time %M, the agent included);
#   - write or change nothing outside the container's private area: a
#     sentinel directory beside it and a planted file in the node's /etc
#     are what the attacks aim at; they, the rest of the case directory
#     and /etc are compared before and after.
# Cases run four at a time: most of their time is p2vmigrate's grace
# for an agent it has given up on.
set -euo pipefail
TEST_NAME=hostile-agent
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq timeout
[ -x /usr/bin/time ] || fail "missing /usr/bin/time (GNU time)"
need_agent
build=$P2V_BUILD_DIR
evil=$build/bin/evil-agent
[ -x "$evil" ] || fail "no $evil (build the evil-agent target)"
rsh="env ASAN_OPTIONS=detect_leaks=0 $P2V_SOURCE_DIR/tests/tools/local-rsh"
MARK=P2VINJECT
RSS_MAX_KB=300000

# The facts of this machine (where a migration is possible), once.
"$P2V_AGENT" --facts >"$TEST_TMP/facts.json" 2>/dev/null || fail "p2v-agent --facts failed"
# The same with text crafted to break out of every generated file.
inj="x\"; touch /tmp/$MARK; \$(id) \`id\`
$MARK=1 '"
jq --arg i "$inj" --arg m "$MARK" '
  .hostname = ("evil" + $i) | .uname.nodename = ("evil" + $i)
  | .interfaces += [{name: ("eth9" + $i), index: 99, flags: ["up", "running"], mac: "02:00:00:00:00:09",
                     addresses: [{family: "inet", address: ("10.9.9.9\n" + $m + "=1"), prefix: 24},
                                 {family: "inet", address: "10.9.9.8 $(id)", prefix: 24}]}]
  | .interfaces[1].addresses += [{family: "inet", address: ("10.7.7.7\"" + $i), prefix: 24}]
  | (.files[] | select(.path == "/etc/resolv.conf") | .blob) =
      {text: ("nameserver 10.255.255.53\nnameserver 10.1.1.1$(id)\nnameserver 10.2.2.2\n" + $m +
              "=1\nsearch good.example bad$(id).example `" + $m + "`.example\n")}
  | (.files[] | select(.path == "/etc/hostname") | .blob) = {text: ("evil" + $i + "\n")}
  ' "$TEST_TMP/facts.json" >"$TEST_TMP/facts-inject.json"
# ... and a distribution whose os-release fields reach OSTEMPLATE.
jq --arg i "$inj" '(.files[] | select(.path == "/etc/os-release") | .blob) =
      {text: ("ID=\"debian" + $i + "\"\nVERSION_ID=\"12$(id)\"\nNAME=\"Debian" + $i + "\"\n")}
  ' "$TEST_TMP/facts.json" >"$TEST_TMP/facts-inject-os.json"

# A file in the node's /etc that attacks aim at (removed at exit).
etc_target=/etc/p2v-hostile-target.$$
echo "node secret" >"$etc_target"
on_cleanup "rm -f '$etc_target'"
snap_etc() { find /etc -xdev -printf '%p %y %s %m %T@\n' 2>/dev/null | sort; md5sum "$etc_target"; }
snap_etc >"$TEST_TMP/etc.before"

# snap DIR: everything in a case directory but what p2vmigrate may write
# (directory times move as those are made: names, modes, owners still count).
snap() {
    (cd "$1" && find . \( -path ./private/101 -o -path ./private/101.p2v-tmp -o -path ./conf \
        -o -path ./state -o -path ./log \) -prune \
        -o -type d -printf '%p %y %m %U %i\n' -o -printf '%p %y %s %m %U %n %T@ %i\n' | sort
     find "$1/sentinel" -type f -exec md5sum {} + | sort)
}

# migrate DIR CASE ARGS...: one run; its status in DIR/runN.rc
migrate() {
    local d=$1 c=$2 n
    shift 2
    n=$(ls "$d"/log/run*.rc 2>/dev/null | wc -l)
    local rc=0
    EVIL_CASE=$c EVIL_FACTS=${EVIL_FACTS_FILE:-$TEST_TMP/facts.json} EVIL_SENTINEL=$d/sentinel \
        EVIL_TARGET=$etc_target EVIL_PIDFILE=$d/log/agent.pid P2V_CONFIG=$d/p2v.conf \
        /usr/bin/time -f %M -o "$d/log/run$n.rss" timeout 60 "$build/bin/p2vmigrate" "$@" -e "$rsh" \
        --agent "$evil" localhost 101 >"$d/log/run$n.out" 2>"$d/log/run$n.err" || rc=$?
    echo "$rc" >"$d/log/run$n.rc"
    return "$rc"
}

# check_run DIR N WANT NEEDLE: what a run must show; prints problems.
check_run() {
    local d=$1 n=$2 want=$3 needle=$4 rc rss
    rc=$(cat "$d/log/run$n.rc")
    rss=$(grep -Eo '^[0-9]+$' "$d/log/run$n.rss" | tail -1 || echo 0)
    case $rc in
        124) echo "hung: killed by timeout 60" ;;
        $want) ;;
        *) [ "$rc" -ge 128 ] && echo "crashed: exit $rc (signal $((rc - 128)))" ||
               echo "exit $rc, wanted $want" ;;
    esac
    if grep -q 'Sanitizer\|runtime error:' "$d/log/run$n.err"; then echo "sanitizer report"; fi
    if [ -n "$needle" ] && ! grep -qF -- "$needle" "$d/log/run$n.err"; then
        echo "no '$needle' in the messages"
    fi
    [ "${rss:-0}" -le "$RSS_MAX_KB" ] || echo "max RSS ${rss} KB over ${RSS_MAX_KB} KB"
}

setup() {
    local d=$1
    mkdir -p "$d/sentinel/dir" "$d/private" "$d/log"
    echo "sentinel secret" >"$d/sentinel/target"
    echo "inside" >"$d/sentinel/dir/file"
    node_config "$d/p2v.conf" "$d"
    snap "$d" >"$d/log/snap.before"
}

# one CASE WANT NEEDLE [p2vmigrate args]: a single run against the lie.
one() {
    local c=$1 want=$2 needle=$3 d=$TEST_TMP/c-$1
    shift 3
    setup "$d"
    migrate "$d" "$c" "$@" || true
    check_run "$d" 0 "$want" "$needle" >"$d/log/problems"
    finish "$d"
}

# two CASE WANT NEEDLE: an honest first pass, then the lie on the sync
# (deltas need a basis).
two() {
    local c=$1 want=$2 needle=$3 d=$TEST_TMP/c-$1
    setup "$d"
    migrate "$d" honest || true
    check_run "$d" 0 0 "container 101 is converted" >"$d/log/problems"
    migrate "$d" "$c" || true
    check_run "$d" 1 "$want" "$needle" >>"$d/log/problems"
    finish "$d"
}

finish() {
    local d=$1
    snap "$d" >"$d/log/snap.after"
    if ! diff -u "$d/log/snap.before" "$d/log/snap.after" >"$d/log/snap.diff"; then
        echo "changed outside the private area:" >>"$d/log/problems"
        sed 's/^/      /' "$d/log/snap.diff" >>"$d/log/problems"
    fi
    [ ! -e /tmp/$MARK ] || echo "/tmp/$MARK exists: injected shell ran" >>"$d/log/problems"
}

# A directory of the copy replaced by a symlink between two runs (and a
# file by a symlink to a file outside): the sync must write through
# neither, and repair both.
planted() {
    local d=$TEST_TMP/c-planted-symlinks p=$TEST_TMP/c-planted-symlinks/private/101
    setup "$d"
    migrate "$d" honest || true
    check_run "$d" 0 0 "" >"$d/log/problems"
    rm -rf "$p/sub" "$p/data/big"
    ln -s "$d/sentinel/dir" "$p/sub"
    ln -s "$d/sentinel/target" "$p/data/big"
    snap "$d" >"$d/log/snap.before"
    migrate "$d" delta-honest || true
    check_run "$d" 1 0 "" >>"$d/log/problems"
    { [ -d "$p/sub" ] && [ ! -L "$p/sub" ] && [ -f "$p/sub/file" ] && [ ! -L "$p/data/big" ]; } ||
        echo "the planted symlinks were not replaced" >>"$d/log/problems"
    finish "$d"
}

# sums CASE REDONE: a sync whose only delta (data/big, with new first
# bytes) comes with the agent's sum of it (P2V_CAP_DELTA_SUM), a wrong
# one, or none: the copy must hold exactly the new content, and the
# deltas that did not check out must have been sent again whole.
sums() {
    local c=$1 redone=$2 d=$TEST_TMP/c-$1 p=$TEST_TMP/c-$1/private/101 got
    setup "$d"
    migrate "$d" honest || true
    check_run "$d" 0 0 "container 101 is converted" >"$d/log/problems"
    cp "$p/data/big" "$d/log/big.pass1"
    migrate "$d" "$c" --json || true
    check_run "$d" 1 0 "" >>"$d/log/problems"
    [ "$(head -c 16 "$p/data/big")" = "P2V-NEW-CONTENT!" ] ||
        echo "data/big does not begin with the new bytes" >>"$d/log/problems"
    cmp -s -i 16 "$d/log/big.pass1" "$p/data/big" ||
        echo "data/big differs from the source past its new bytes" >>"$d/log/problems"
    got=$(jq -r 'select(.event == "result") | "\(.deltas) \(.deltas_redone)"' "$d/log/run1.out")
    [ "$got" = "1 $redone" ] ||
        echo "result says deltas, deltas_redone = '$got', wanted '1 $redone'" >>"$d/log/problems"
    finish "$d"
}

# An agent that answers BYE but never exits and ignores SIGTERM.
never_exits() {
    local d=$TEST_TMP/c-never-exits pid state
    setup "$d"
    migrate "$d" never-exits || true
    check_run "$d" 0 0 "" >"$d/log/problems"
    pid=$(cat "$d/log/agent.pid" 2>/dev/null || echo)
    # a zombie is dead (this machine's PID 1 may not reap orphans)
    state=$( { [ -n "$pid" ] && sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1; } || echo)
    if [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]; then
        echo "the agent (pid $pid) outlived p2vmigrate" >>"$d/log/problems"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    finish "$d"
}

# The generated files hold none of the injected text.
inject() {
    local c=$1 want=$2 needle=$3 d=$TEST_TMP/c-$1 hits
    setup "$d"
    EVIL_FACTS_FILE=$TEST_TMP/facts-$c.json migrate "$d" honest || true
    check_run "$d" 0 "$want" "$needle" >"$d/log/problems"
    [ "$want" != 0 ] || [ -s "$d/conf/101.conf" ] || echo "no CTID.conf was written" >>"$d/log/problems"
    hits=$(grep -rlaF -e "$MARK" -e '$(' -e '`' "$d/conf" "$d/private/101" "$d/state" 2>/dev/null || true)
    [ -z "$hits" ] || echo "injected text in: $hits" >>"$d/log/problems"
    finish "$d"
}

# name | how | want | needle
CASES=(
  # paths
  "dotdot|one|1|\"..\" component (refused)"
  "absolute|one|1|absolute (refused)"
  "nul|one|1|path contains a NUL byte"
  "empty-component|one|1|empty component (refused)"
  "root-as-file|one|1|the container root has no content"
  "root-as-symlink|one|1|the container root cannot be a symbolic link"
  "name-max|one|1|longer than NAME_MAX"
  "path-max|one|1|too long beneath"
  "path-over-wire-max|one|1|field longer than its limit"
  # symlinks and hard links
  "symlink-parent|one|1|\`esc/owned\`: a parent is not a directory"
  "symlink-parent-dir|one|1|\`esc/newdir\`: a parent is not a directory"
  "symlink-then-file|one|1|listed /etc/shadow twice"
  "symlink-then-dir|one|1|listed /esc twice"
  "hardlink-absolute|one|1|invalid hard link: path \`/etc/p2v-hostile-target"
  "hardlink-dotdot|one|1|invalid hard link: path \`../../sentinel/target\`"
  "hardlink-via-symlink|one|0|not copied: /etc/hl: its hard-link target was not copied"
  "hardlink-to-dir|one|1|hard link \`etc/hl\` to \`etc\`: a directory (refused)"
  # lengths, counts, offsets
  "frame-huge|one|1|sent a frame of 4294967295 bytes, over the limit of 1048576"
  "frame-max|one|1|malformed LIST_DATA message"
  "frame-flags|one|1|sent a frame with unknown flags 0x0001"
  "count-more|one|1|unexpected trailing bytes"
  "count-less|one|1|malformed LIST_DATA message: truncated"
  "count-huge|one|1|malformed LIST_DATA message: truncated"
  "xattr-count|one|1|too many xattrs in an entry"
  "list-end-twice|one|1|ended its listing twice"
  "probe-flood|one|1|answered an empty listing with more than 64 messages"
  "list-end-lie|one|1|announced 1000000 entries but listed"
  "zlist-bomb|one|1|compressed chunk without a size of at most 1048576 bytes"
  "size-huge|one|1|write /data/huge into"
  "size-end-lie|one|1|says /data/lie, listed at 10 bytes, has 1099511627776"
  "more-bytes|one|1|sent 4096 bytes for /data/lie of 10"
  "offset-beyond|one|1|sent data for /data/lie beyond its size"
  "offset-wrap|one|1|malformed data chunk: offset overflows"
  "hole-huge|one|1|malformed FILE_HOLE message"
  "zdata-unasked|one|1|sent compressed data unasked"
  "delta-unasked|one|1|sent a delta for /data/lie, which was asked for whole"
  "wrong-id|one|1|answered out of order"
  "unknown-type|one|1|sent unknown with no file requested"
  "facts-huge|one|1|data exceeds the limit of 67108864 bytes"
  "facts-length|one|1|bytes of facts but sent 1000"
  "facts-deep|one|1|nesting too deep"
  "facts-garbage|one|1|the facts document is not valid JSON"
  # deltas against the first pass's copy
  "delta-copy-beyond|two|1|(a copy beyond the basis file)"
  "delta-copy-negative|two|1|corrupt delta from the agent: stream corrupt"
  "delta-truncated|two|1|corrupt delta from the agent: unexpected end of input"
  "delta-bad-magic|two|1|corrupt delta from the agent"
  "delta-runs-on|two|1|the delta runs on after its end"
  "delta-expand|two|1|the delta expands beyond"
  # the conversation
  "hello-version|one|1|version range 0..0 is empty"
  "hello-garbage|one|1|not a p2v HELLO message"
  "no-hello|one|1|gave no sign of life for 3 seconds|--timeout|3"
  "mid-frame-eof|one|1|closed the connection in the middle of a message"
  "mid-frame-hang|one|1|gave no sign of life for 3 seconds|--timeout|3"
  "error-frame|one|1|reports: disk on fire\\x0a\\x1b[2J\\x1b]0;owned\\x07 \$(touch"
  # generated files
  "inject|inject|0|the source's hostname is not a valid host name"
  "inject-os|inject|0|container 101 is converted"
)

run_case() {
    local spec=$1 name how want needle extra=()
    IFS='|' read -r name how want needle rest <<<"$spec"
    [ -z "${rest:-}" ] || IFS='|' read -r -a extra <<<"$rest"
    case $how in
        one) one "$name" "$want" "$needle" "${extra[@]}" ;;
        two) two "$name" "$want" "$needle" ;;
        inject) inject "$name" "$want" "$needle" ;;
    esac
}

start=$SECONDS
jobs_max=4
for spec in "${CASES[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
    run_case "$spec" &
done
planted &
never_exits &
wait
sums delta-sum-right 0 &
sums delta-sum-wrong 1 &
sums delta-sum-missing 1 &
wait

fails=0
for d in "$TEST_TMP"/c-*; do
    name=${d##*/c-}
    msg=$(grep -h 'error:' "$d"/log/run*.err 2>/dev/null | tail -1 | cut -c1-160 || true)
    if [ -s "$d/log/problems" ]; then
        fails=$((fails + 1))
        say "FAIL $name:"
        sed 's/^/    /' "$d/log/problems"
        for e in "$d"/log/run*.err; do sed 's/^/    | /' "$e" | tail -8; done
    else
        say "ok   $name: ${msg:-exit $(cat "$d"/log/run*.rc | tail -1)}"
    fi
done
snap_etc >"$TEST_TMP/etc.after"
if ! diff -u "$TEST_TMP/etc.before" "$TEST_TMP/etc.after"; then
    say "FAIL: the node's /etc changed"
    fails=$((fails + 1))
fi
say "$(( ${#CASES[@]} + 5 )) cases in $((SECONDS - start)) s"
[ "$fails" = 0 ] || fail "$fails case(s) failed"
