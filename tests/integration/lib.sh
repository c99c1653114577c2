# lib.sh: shared helpers for the integration tests (bash; source it first).
# shellcheck shell=bash
#
#   . "$(dirname "$0")/lib.sh"
#   need_root                      # exit 77 (ctest SKIP_RETURN_CODE) if not root
#   need_cmd jq ssh                # fail clearly if a tool is missing
#   source_up ID [--suite S]       # boot a simulated server; loads its host.env
#   node_config FILE DIR           # write a p2v.conf keeping everything under DIR
#   node_run CMD...                # run CMD in the node network namespace
#   src_ssh 'shell command'        # run a command on the server as root (via ssh)
#   src_scp LOCAL REMOTE_PATH      # copy a file onto the server
#   src_stop                       # power the server off (its namespaces stay)
#   in_node CMD...                 # CMD in the node's network namespace only (LXC)
#   ct_run LXC_PATH CT CMD...      # CMD inside a running LXC container
#   ct_wait LXC_PATH CT            # wait for systemd inside; prints its state
#   ct_stop LXC_PATH CT            # stop it and remove its cgroups
#   source_down ID                 # tear it down now (else done at exit)
#   on_cleanup 'shell command'     # extra cleanup at exit (runs before teardown)
#   fail MSG; assert_eq WANT GOT [MSG]; assert_contains HAYSTACK NEEDLE [MSG]
#   assert_json EXPR [FILE]        # jq -e EXPR on FILE (or stdin) must be truthy
#
# Every server started with source_up is torn down by source-down.sh when
# the test exits, however it exits (failure, set -e, Ctrl-C, TERM). Set
# P2V_KEEP=1 to keep the servers and tmp dir of a FAILED test for debugging.
#
# Environment: P2V_SOURCE_DIR, P2V_BUILD_DIR (set by ctest), P2V_TEST_TMP
# (default /tmp/p2v-tests; each server lives in $P2V_TEST_TMP/ID and each
# test gets $TEST_TMP = $P2V_TEST_TMP/test-NAME).

set -euo pipefail

SKIP_RETURN_CODE=77
P2V_SOURCE_DIR=${P2V_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
P2V_BUILD_DIR=${P2V_BUILD_DIR:-$P2V_SOURCE_DIR/build}
P2V_HOSTS=$P2V_SOURCE_DIR/tests/hosts
export P2V_TEST_TMP=${P2V_TEST_TMP:-/tmp/p2v-tests}
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
TEST_TMP=$P2V_TEST_TMP/test-$TEST_NAME
P2V_AGENT=${P2V_AGENT:-$P2V_BUILD_DIR/bin/p2v-agent}

_p2v_sources=()       # IDs to tear down at exit, in start order
_p2v_cleanups=()      # extra cleanup commands

say() { echo "[$TEST_NAME] $*"; }
fail() { echo "[$TEST_NAME] FAIL: $*" >&2; exit 1; }
skip() { echo "[$TEST_NAME] SKIP: $*"; exit "$SKIP_RETURN_CODE"; }

need_root() { [ "$(id -u)" = 0 ] || skip "needs root (namespaces, loop devices, systemd-nspawn)"; }
need_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || fail "missing tool '$c' (install it: see the project's install script)"
    done
}
need_agent() {
    [ -x "$P2V_AGENT" ] || fail "no agent at $P2V_AGENT (build the project; P2V_BUILD_DIR=$P2V_BUILD_DIR)"
}

on_cleanup() { _p2v_cleanups+=("$1"); }

_p2v_exit() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    local i id
    if [ "$rc" != 0 ] && [ "$rc" != "$SKIP_RETURN_CODE" ] && [ "${P2V_KEEP:-0}" = 1 ]; then
        say "failed (exit $rc); P2V_KEEP=1: keeping ${_p2v_sources[*]:-no servers} and $TEST_TMP"
        for id in "${_p2v_sources[@]}"; do say "  tear down with: $P2V_HOSTS/source-down.sh $id"; done
        exit "$rc"
    fi
    for ((i = ${#_p2v_cleanups[@]} - 1; i >= 0; i--)); do
        eval "${_p2v_cleanups[i]}" || say "cleanup '${_p2v_cleanups[i]}' failed"
    done
    for ((i = ${#_p2v_sources[@]} - 1; i >= 0; i--)); do
        id=${_p2v_sources[i]}
        "$P2V_HOSTS/source-down.sh" "$id" || { say "source-down $id failed"; [ "$rc" != 0 ] || rc=1; }
    done
    if [ -d "$TEST_TMP" ] && ! grep -q " $TEST_TMP/" /proc/self/mountinfo; then
        rm -rf --one-file-system "$TEST_TMP"
    fi
    if [ "$rc" = 0 ]; then say "PASS"; else say "exit $rc"; fi
    exit "$rc"
}
trap _p2v_exit EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# A fresh per-test tmp dir.
if [ -e "$TEST_TMP" ] && ! grep -q " $TEST_TMP/" /proc/self/mountinfo 2>/dev/null; then
    rm -rf --one-file-system "$TEST_TMP"
fi
mkdir -p "$TEST_TMP" 2>/dev/null || true   # need_root skips before use when not root

# source_env ID: load the host.env of a running server into this shell.
source_env() {
    local env=$P2V_TEST_TMP/$1/host.env
    [ -f "$env" ] || fail "no $env (is server '$1' up?)"
    # shellcheck disable=SC1090
    . "$env"
}

# source_up ID [--suite S]: boot a server (registered for teardown first).
source_up() {
    local id=$1; shift
    _p2v_sources+=("$id")
    say "booting source '$id' $*"
    "$P2V_HOSTS/source-up.sh" "$id" "$@" || fail "source-up.sh $id failed"
    source_env "$id"
    say "source '$id' up in ${SRC_BOOT_SECONDS}s: $SRC_IP (ns $NODE_NS)"
}

# source_down ID: tear down now and forget it.
source_down() {
    local id=$1 i keep=()
    "$P2V_HOSTS/source-down.sh" "$id" || fail "source-down.sh $id failed"
    for i in "${_p2v_sources[@]}"; do [ "$i" = "$id" ] || keep+=("$i"); done
    _p2v_sources=("${keep[@]+"${keep[@]}"}")
}

# node_config FILE DIR: a node config (p2v.conf) with everything under DIR:
# DIR/private/CTID, DIR/conf, DIR/state; no runtime; the test's agent.
node_config() {
    cat >"$1" <<CONF
VE_PRIVATE=$2/private/\$VEID
VZ_CONF_DIR=$2/conf
P2V_STATE_DIR=$2/state
RUNTIME=none
AGENT_BINARY=$P2V_AGENT
CONF
}

node_run() {
    [ -n "${NODE_NS:-}" ] || fail "node_run: no server loaded (NODE_NS unset)"
    ip netns exec "$NODE_NS" "$@"
}

# LXC's command socket is per network namespace and `ip netns exec`
# remounts /sys (hiding the cgroup mounts): enter only the network.
in_node() { nsenter --net="/run/netns/$NODE_NS" "$@"; }
ct_run() {
    local p=$1 n=$2
    shift 2
    in_node lxc-attach -P "$p" -n "$n" --clear-env -v PATH=/usr/sbin:/usr/bin:/sbin:/bin -- "$@"
}
ct_wait() {
    local state= _
    for _ in $(seq 1 120); do
        state=$(ct_run "$1" "$2" systemctl is-system-running 2>/dev/null || true)
        case $state in running|degraded) break;; esac
        sleep 0.5
    done
    echo "$state"
}
ct_stop() {
    in_node lxc-stop -P "$1" -n "$2" -t 30 >/dev/null 2>&1 ||
        in_node lxc-stop -P "$1" -n "$2" -k >/dev/null 2>&1 || true
    local d
    for d in /sys/fs/cgroup/*/lxc.payload."$2" /sys/fs/cgroup/*/lxc.monitor."$2" \
             /sys/fs/cgroup/*/lxc.payload."$2"-* /sys/fs/cgroup/*/lxc.monitor."$2"-*; do
        [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    return 0
}
src_stop() {
    kill -TERM "$SRC_PID" 2>/dev/null || true
    local _
    for _ in $(seq 1 60); do kill -0 "$SRC_PID" 2>/dev/null || return 0; sleep 0.5; done
    fail "the server did not stop"
}

# src_ssh 'CMD': run CMD by the server's root shell; stdout/exit status pass through.
src_ssh() {
    # shellcheck disable=SC2086
    node_run ssh $SSH_OPTS "root@$SRC_IP" "$@"
}

src_scp() {
    # shellcheck disable=SC2086
    node_run scp -q $SSH_OPTS "$1" "root@$SRC_IP:$2"
}

assert_eq() {
    [ "$1" = "$2" ] || fail "${3:-values differ}: expected '$1', got '$2'"
}

assert_contains() {
    case $1 in
        *"$2"*) ;;
        *) fail "${3:-missing text}: '$2' not found in:
$1" ;;
    esac
}

assert_not_contains() {
    case $1 in
        *"$2"*) fail "${3:-unexpected text}: '$2' found in:
$1" ;;
    esac
}

# assert_json EXPR [FILE]: the jq expression must give a truthy value.
assert_json() {
    local expr=$1 file=${2:--} out
    if ! out=$(jq -e "$expr" "$file" 2>&1); then
        fail "JSON check failed: $expr (got: ${out:-nothing})"
    fi
}
