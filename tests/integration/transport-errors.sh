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
updir=$(sed -n 's/.*uploading the agent[^(]*([^)]*) to localhost:\(.*\)$/\1/p' "$tmp/err")
# this machine has xz, glibc, libzstd and libblkid: p2v-agent-sys goes, as
# the build's .xz, passes its test there, and arrives whole
if grep -q "uploading the agent for the source's glibc ([0-9]* bytes, sent xz'd as [0-9]*)" "$tmp/err" &&
    ! grep -q "static agent goes" "$tmp/err"; then
    echo "ok: p2v-agent-sys uploaded xz'd"
else
    echo "FAIL: p2v-agent-sys was not uploaded xz'd: $(grep 'uploading the agent\|static agent' "$tmp/err")"; fails=$((fails + 1))
fi
case $updir in
    /*/p2v-agent.*) [ ! -e "$updir" ] || { echo "FAIL: the uploaded agent left $updir"; fails=$((fails + 1)); } ;;
    *) echo "FAIL: the debug log does not name the upload directory"; fails=$((fails + 1)) ;;
esac

# upload_case WHAT NEEDLE ARGS...: a dry run (p2vmigrate ARGS) works and
# its debug log holds NEEDLE
upload_case() {
    local what=$1 needle=$2 rc=0
    shift 2
    "$build/bin/p2vmigrate" -vv --dry-run --json --no-scan "$@" localhost 101 \
        >"$tmp/report2.json" 2>"$tmp/err2" || rc=$?
    if [ "$rc" = 0 ] && grep -q "$needle" "$tmp/err2" && jq -e '.possible == true' "$tmp/report2.json" >/dev/null; then
        echo "ok: $what"
    else
        echo "FAIL: $what: exit $rc: $(grep -m3 'uploading\|xz\|error' "$tmp/err2")"; fails=$((fails + 1))
    fi
}

# rsh_without NAME TOOL...: a remote shell whose PATH holds every tool the
# bootstrap uses but TOOL...; prints its path
rsh_without() {
    local name=$1 t
    shift
    mkdir -p "$tmp/$name"
    for t in sh mktemp printf chmod rm uname head grep dd wc tr cat gzip xz; do
        case " $* " in *" $t "*) continue ;; esac
        ln -s "$(command -v "$t")" "$tmp/$name/$t"
    done
    printf '#!/bin/sh\nshift\nPATH=%s exec sh -c "$1"\n' "$tmp/$name" >"$tmp/$name-rsh"
    chmod +x "$tmp/$name-rsh"
    echo "$tmp/$name-rsh"
}

# A source whose glibc is older than p2v-agent-sys needs (a getconf that
# says 2.17, as CentOS 7's): the static agent goes.
oldc=$(rsh_without oldglibc)
ln -s "$(command -v sed)" "$tmp/oldglibc/sed"
printf '#!/bin/sh\necho "glibc 2.17"\n' >"$tmp/oldglibc/getconf"
chmod +x "$tmp/oldglibc/getconf"
upload_case "a source with glibc 2.17 gets the static agent" "glibc 2.17 is older than the" -e "$oldc"
grep -q "uploading the agent ([0-9]* bytes, sent xz'd" "$tmp/err2" ||
    { echo "FAIL: glibc 2.17: the static agent was not sent: $(grep 'uploading' "$tmp/err2")"; fails=$((fails + 1)); }

# A p2v-agent-sys that does not start on the source (here: one that
# exits 1, as a missing library would make it): the bootstrap says so and
# the static agent follows on the same connection.
mkdir "$tmp/sysfail"
cp "$build/bin/p2v-agent" "$tmp/sysfail/p2v-agent"
printf '#!/bin/sh\nexit 1\n' >"$tmp/sysfail/p2v-agent-sys"
chmod +x "$tmp/sysfail/p2v-agent-sys"
xz -T1 --check=crc32 -k "$tmp/sysfail/p2v-agent-sys"
echo 2.0 >"$tmp/sysfail/p2v-agent-sys.glibc"
sed "s|^AGENT_BINARY=.*|AGENT_BINARY=$tmp/sysfail/p2v-agent|" "$tmp/p2v.conf" >"$tmp/sysfail.conf"
P2V_CONFIG=$tmp/sysfail.conf upload_case "a p2v-agent-sys that does not start: the static agent follows" \
    "does not start on localhost" "${local_rsh[@]}"
grep -q "uploading the agent ([0-9]* bytes, sent gzip'd" "$tmp/err2" ||
    { echo "FAIL: after the failed test the static agent was not sent: $(grep 'uploading' "$tmp/err2")"; fails=$((fails + 1)); }

# Sources short of xz, then of gzip too: the bootstrap asks for the next
# form it can unpack, and the agent arrives whole. (Their PATH has no
# getconf: the static agent goes.)
upload_case "without xz the agent goes gzip'd" "sent gzip'd as [0-9]*)" -e "$(rsh_without noxz xz)"
upload_case "without xz and gzip the agent goes raw" "([0-9]* bytes, sent raw)" -e "$(rsh_without nozip xz gzip)"

# A cut .xz, or one of another binary, beside the agent: p2vmigrate
# notices before the upload (from the .xz's index and CRC32) and sends
# the agent gzip'd.
mkdir "$tmp/agent"
cp "$build/bin/p2v-agent" "$tmp/agent/p2v-agent"
head -c 100000 "$build/bin/p2v-agent.xz" >"$tmp/agent/p2v-agent.xz"
sed "s|^AGENT_BINARY=.*|AGENT_BINARY=$tmp/agent/p2v-agent|" "$tmp/p2v.conf" >"$tmp/badxz.conf"
P2V_CONFIG=$tmp/badxz.conf upload_case "a cut .xz is not sent" "sent gzip'd as [0-9]*)" "${local_rsh[@]}"
grep -q "not uploading the agent xz'd: .*cut short" "$tmp/err2" ||
    { echo "FAIL: the debug log does not say why the .xz was left: $(grep -m1 xz "$tmp/err2")"; fails=$((fails + 1)); }
head -c "$(wc -c <"$tmp/agent/p2v-agent")" /dev/zero | xz -T1 --check=crc32 -c >"$tmp/agent/p2v-agent.xz"
P2V_CONFIG=$tmp/badxz.conf upload_case "a .xz of another binary is not sent" "sent gzip'd as [0-9]*)" "${local_rsh[@]}"
grep -q "not uploading the agent xz'd: .*other bytes than the agent" "$tmp/err2" ||
    { echo "FAIL: the debug log does not say why the .xz was left: $(grep -m1 xz "$tmp/err2")"; fails=$((fails + 1)); }
# the node trusts the CRC32 the .xz declares, so it wants that check
xz -T1 -c "$tmp/agent/p2v-agent" >"$tmp/agent/p2v-agent.xz"
P2V_CONFIG=$tmp/badxz.conf upload_case "a .xz with xz's default CRC64 is not sent" "sent gzip'd as [0-9]*)" "${local_rsh[@]}"
grep -q "not uploading the agent xz'd: .*--check=crc32" "$tmp/err2" ||
    { echo "FAIL: the debug log does not say why the .xz was left: $(grep -m1 xz "$tmp/err2")"; fails=$((fails + 1)); }
# Damage inside the compressed data passes the node's look at the index;
# the source's xz finds it (CRC32) and the bootstrap stops, leaving nothing.
cp "$build/bin/p2v-agent.xz" "$tmp/agent/p2v-agent.xz"
printf '\125\252\125\252' | dd of="$tmp/agent/p2v-agent.xz" bs=1 seek=200000 conv=notrunc status=none
rc=0
P2V_CONFIG=$tmp/badxz.conf "$build/bin/p2vmigrate" --dry-run --json --no-scan "${local_rsh[@]}" \
    localhost 101 >/dev/null 2>"$tmp/err2" || rc=$?
if [ "$rc" != 0 ] && grep -q "unpacking the agent (xz) .* failed" "$tmp/err2" &&
    ! ls -d "${TMPDIR:-/tmp}"/p2v-agent.* >/dev/null 2>&1; then
    echo "ok: a .xz damaged inside stops the bootstrap, which leaves nothing"
else
    echo "FAIL: a damaged .xz: exit $rc: $(grep -m2 'error\|unpack' "$tmp/err2")"; fails=$((fails + 1))
fi

# A busybox source (ash, and busybox's own xz, which knows no BCJ filter):
# the build's .xz must be one it can unpack.
if busybox=$(command -v busybox); then
    mkdir -p "$tmp/bb"
    for t in sh mktemp printf chmod rm uname head grep dd wc tr cat gzip xz; do
        ln -s "$busybox" "$tmp/bb/$t"
    done
    printf '#!/bin/sh\nshift\nPATH=%s exec %s sh -c "$1"\n' "$tmp/bb" "$busybox" >"$tmp/bb-rsh"
    chmod +x "$tmp/bb-rsh"
    upload_case "a busybox source takes the agent xz'd" "sent xz'd as [0-9]*)" -e "$tmp/bb-rsh"
fi
for d in private conf state; do
    [ ! -e "$tmp/$d" ] || { echo "FAIL: $tmp/$d was created on the node"; fails=$((fails + 1)); }
done
[ "$fails" = 0 ] || { echo "$fails case(s) failed"; exit 1; }
echo "all transport error cases pass"
