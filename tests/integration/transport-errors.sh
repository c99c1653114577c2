#!/bin/bash
# transport-errors.sh: every start-up failure gives a one-line error naming
# the thing and the fix, exit 1, and creates nothing on the node. Runs the
# "remote" side locally (tests/tools/local-rsh), so it needs no root.
set -euo pipefail
TEST_NAME=transport-errors
build=${P2V_BUILD_DIR:?}
src=${P2V_SOURCE_DIR:?}
tools=$src/tests/tools
tmp=$(mktemp -d /tmp/p2v-transport.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/p2v.conf" <<CONF
VE_PRIVATE=$tmp/private/\$VEID
VZ_CONF_DIR=$tmp/conf
P2V_STATE_DIR=$tmp/state
RUNTIME=none
AGENT_BINARY=${P2V_AGENT:-$build/bin/p2v-agent}
CONF
export P2V_CONFIG=$tmp/p2v.conf
fails=0

# expect CODE NEEDLE ARGS...: p2vmigrate exits CODE and stderr holds NEEDLE
expect() {
    local want=$1 needle=$2 out rc=0
    shift 2
    out=$(timeout 60 "$build/bin/p2vmigrate" "$@" 2>&1 >/dev/null) || rc=$?
    if [ "$rc" != "$want" ] || [[ $out != *"$needle"* ]]; then
        echo "FAIL: p2vmigrate $*: want exit $want and '$needle', got exit $rc:"
        echo "$out" | sed 's/^/    /'
        fails=$((fails + 1))
    else
        echo "ok: $needle"
    fi
}

local_rsh=(-e "$tools/local-rsh")
expect 1 "invalid CTID \`abc\`" --dry-run localhost abc
expect 1 "invalid CTID \`0101\`" --dry-run localhost 0101
expect 1 "looks like an option" --dry-run -- -oProxyCommand=x 101
expect 1 "expected HOST and CTID" --dry-run localhost
expect 1 "unknown option" --dry-run --frobnicate localhost 101
expect 1 "--timeout \`0\`" --dry-run --timeout 0 localhost 101
expect 1 "the remote shell command could not run" --dry-run -e /nonexistent/rsh localhost 101
expect 1 "unmatched ' quote" --dry-run -e "ssh 'oops" localhost 101
expect 1 "cannot start the agent on localhost" --dry-run "${local_rsh[@]}" --agent /nonexistent/p2v-agent localhost 101
expect 1 "the agent on localhost exited with status 1" --dry-run "${local_rsh[@]}" --agent /bin/false localhost 101
expect 1 "over the limit" --dry-run "${local_rsh[@]}" --agent /bin/echo localhost 101
expect 1 "protocol version mismatch: p2vmigrate 0.1.0 speaks protocol 1, fake-agent 9 speaks protocol 9" \
    --dry-run "${local_rsh[@]}" --agent "$tools/fake-agent-v9" localhost 101
expect 1 "gave no sign of life for 2 seconds" --dry-run --timeout 2 "${local_rsh[@]}" --agent "$tools/silent-agent" localhost 101
expect 1 "cannot upload the agent to localhost" --dry-run "${local_rsh[@]}" --remote-tmpdir /proc/1 localhost 101
expect 1 "protocol version mismatch" "${local_rsh[@]}" --agent "$tools/fake-agent-v9" localhost 101
P2V_CONFIG=$tmp/missing.conf expect 1 "cannot read node config \`$tmp/missing.conf\`" --dry-run "${local_rsh[@]}" localhost 101
printf 'RUNTIME=docker\n' >"$tmp/bad.conf"
P2V_CONFIG=$tmp/bad.conf expect 1 "RUNTIME=\"docker\" is not one of vzctl, lxc, none" --dry-run "${local_rsh[@]}" localhost 101
printf 'AGENT_BINARY=/nonexistent/agent\n' >"$tmp/noagent.conf"
P2V_CONFIG=$tmp/noagent.conf expect 1 "cannot read the agent binary \`/nonexistent/agent\`" --dry-run "${local_rsh[@]}" localhost 101

# A working run against this machine: the protocol end to end, upload
# included, and the uploaded agent removes itself (its directory is named
# in the debug log).
rc=0
"$build/bin/p2vmigrate" -vv --dry-run --json --no-scan "${local_rsh[@]}" localhost 101 >"$tmp/report.json" 2>"$tmp/err" || rc=$?
if [ "$rc" != 0 ] || ! jq -e '.possible == true and .ctid == "101" and (.restrictions | length) > 5' "$tmp/report.json" >/dev/null; then
    echo "FAIL: dry run against this machine: exit $rc"; cat "$tmp/err"; fails=$((fails + 1))
else
    echo "ok: dry run over the local shell"
fi
updir=$(sed -n 's/.*uploading the agent ([^)]*) to localhost:\(.*\)$/\1/p' "$tmp/err")
# the local shell has gzip: the agent goes compressed, and arrives whole
if grep -q "uploading the agent ([0-9]* bytes, [0-9]* gzip'd: sent gzip'd)" "$tmp/err"; then
    echo "ok: the agent uploaded gzip'd"
else
    echo "FAIL: the agent was not uploaded gzip'd: $(grep 'uploading the agent' "$tmp/err")"; fails=$((fails + 1))
fi
case $updir in
    /*/p2v-agent.*) [ ! -e "$updir" ] || { echo "FAIL: the uploaded agent left $updir"; fails=$((fails + 1)); } ;;
    *) echo "FAIL: the debug log does not name the upload directory"; fails=$((fails + 1)) ;;
esac

# A source without gzip: the bootstrap asks for the raw binary, which
# arrives whole. The remote shell's PATH holds every tool it uses but gzip.
mkdir -p "$tmp/nogzip"
for t in sh mktemp printf chmod rm uname head grep dd wc tr cat; do
    ln -s "$(command -v "$t")" "$tmp/nogzip/$t"
done
cat >"$tmp/nogzip-rsh" <<RSH
#!/bin/sh
shift
PATH=$tmp/nogzip exec sh -c "\$1"
RSH
chmod +x "$tmp/nogzip-rsh"
rc=0
"$build/bin/p2vmigrate" -vv --dry-run --json --no-scan -e "$tmp/nogzip-rsh" localhost 101 \
    >"$tmp/report2.json" 2>"$tmp/err2" || rc=$?
if [ "$rc" = 0 ] && grep -q "gzip'd: sent raw)" "$tmp/err2" && jq -e '.possible == true' "$tmp/report2.json" >/dev/null; then
    echo "ok: without gzip the agent goes raw"
else
    echo "FAIL: a source without gzip: exit $rc: $(grep -m3 'uploading\|error' "$tmp/err2")"; fails=$((fails + 1))
fi
for d in private conf state; do
    [ ! -e "$tmp/$d" ] || { echo "FAIL: $tmp/$d was created on the node"; fails=$((fails + 1)); }
done
[ "$fails" = 0 ] || { echo "$fails case(s) failed"; exit 1; }
echo "all transport error cases pass"
