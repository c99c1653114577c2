#!/bin/bash
# windows-dryrun.sh: p2vmigrate --dry-run of a Windows source, the agent
# started under wine by the remote-shell wrapper wine-rsh.sh (-e) with
# --agent. The windows-version rule (seed 003): a Windows Server 2008
# moves only to a windows-2008 node, 2003 only to 2003, and never into a
# container on a Linux node. Needs root: C: must be a small filesystem
# (wine-lib.sh) for the space check to pass.
. "$(dirname "$0")/wine-lib.sh"
wine_reexec "$0" "$@"
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
wine_setup
P2VMIGRATE=$P2V_BUILD_DIR/bin/p2vmigrate
RSH=$P2V_SOURCE_DIR/tests/integration/wine-rsh.sh
R=$TEST_TMP/report.json

dry() {   # dry NODE_OS: JSON dry run into $R, print the exit status
    node_config "$TEST_TMP/p2v.conf" "$TEST_TMP/vz"
    echo "NODE_OS=$1" >>"$TEST_TMP/p2v.conf"
    local rc=0
    P2V_CONFIG=$TEST_TMP/p2v.conf "$P2VMIGRATE" --dry-run --json -e "$RSH" --agent "$P2V_AGENT_EXE" \
        winsrv 101 >"$R" 2>"$TEST_TMP/err" || rc=$?
    echo "$rc"
}
r() { echo ".restrictions[] | select(.id == \"$1\")"; }

say "Windows Server 2008 source, windows-2008 node: possible"
wine_version win2008
rc=$(dry windows-2008)
[ "$rc" = 0 ] || { cat "$TEST_TMP/err" "$R"; fail "exit $rc, want 0 (possible)"; }
assert_json '.possible == true' "$R"
assert_json "$(r windows-version) | .severity == \"info\" and (.message | test(\"Windows Server 2008 .*6.0.6002.*the releases match\"))" "$R"
# the rest as for Linux: C: merged, addresses to venet0, MACs, quotas, raw
assert_json "$(r filesystems-merged) | .paths | index(\"C:\") != null" "$R"
assert_json "$(r ips-to-venet0) | .severity != \"blocker\"" "$R"
assert_json "$(r mac-bound) | .message | test(\"Windows agent\")" "$R"
assert_json '[.restrictions[].id] | index("quota-partition") != null and index("raw-devices") != null' "$R"
assert_json '[.restrictions[].id] | index("selinux") == null and index("xattrs") == null' "$R"

say "Windows Server 2008 source, windows-2003 node: windows-version blocker"
rc=$(dry windows-2003)
assert_eq 2 "$rc" "exit status (not possible)"
assert_json "$(r windows-version) | .severity == \"blocker\" and (.message | test(\"Windows Server 2008 can move only to a Windows Server 2008 node\"))" "$R"
assert_json '[.restrictions[] | select(.severity == "blocker") | .id] == ["windows-version"]' "$R"

say "Windows Server 2003 source, windows-2003 node: possible"
wine_version win2003
rc=$(dry windows-2003)
[ "$rc" = 0 ] || { cat "$TEST_TMP/err" "$R"; fail "exit $rc, want 0 (possible)"; }
assert_json "$(r windows-version) | .severity == \"info\" and (.message | test(\"5.2.3790\"))" "$R"

say "Windows Server 2003 source, linux node: a Windows server cannot become a container here"
rc=$(dry linux)
assert_eq 2 "$rc" "exit status (not possible)"
assert_json "$(r windows-version) | .severity == \"blocker\" and (.message | test(\"cannot become a container on this Linux node\"))" "$R"

say "a workstation (wine's win7) on a windows-2008 node: not Windows Server"
wine_version win7
rc=$(dry windows-2008)
assert_eq 2 "$rc" "exit status (not possible)"
assert_json "$(r windows-version) | .severity == \"blocker\" and (.message | test(\"not Windows Server 2003 or 2008\"))" "$R"
