#!/bin/bash
# windows-facts.sh: p2v-agent.exe --facts under wine reports the prefix's
# volumes, adapters and the version winecfg sets (RtlGetVersion: the real
# one), in the Linux agent's top-level schema plus "windows".
. "$(dirname "$0")/wine-lib.sh"
wine_reexec "$0" "$@"
. "$(dirname "$0")/lib.sh"
need_cmd jq
wine_setup
F=$TEST_TMP/facts.json

facts() {   # facts VERSION: set the version, print the facts into $F
    wine_version "$1"
    wine_run "$P2V_AGENT_EXE" --facts >"$F" 2>"$TEST_TMP/err" || { cat "$TEST_TMP/err"; fail "--facts failed"; }
}

say "win2008"
facts win2008
assert_json '.schema == 1 and .uname.sysname == "Windows" and .uname.machine == "x86_64"' "$F"
assert_json '.windows.version | .major == 6 and .minor == 0 and .build == 6002 and .product_type == "server" and .sp_major == 2' "$F"
assert_json '.uname.release == "6.0.6002" and (.hostname | length) > 0' "$F"
# volumes: C: is the prefix's drive_c, fixed, with a filesystem and sizes
assert_json '.windows.volumes | any(.drive == "C:" and .type == "fixed" and (.filesystem | length) > 0 and .size > 0 and .free <= .size and (.serial | test("^[0-9A-F]{4}-[0-9A-F]{4}$")) and (.quota | has("supported")))' "$F"
# adapters: the loopback with 127.0.0.1/8, and every address has a prefix
assert_json '.interfaces | any((.flags | index("loopback")) and any(.addresses[]; .family == "inet" and .address == "127.0.0.1" and .prefix == 8))' "$F"
assert_json '[.interfaces[].addresses[] | select(.prefix == null)] | length == 0' "$F"
assert_json '[.interfaces[] | select(.mac != null) | .mac | test("^([0-9a-f]{2}:){5}[0-9a-f]{2}$")] | all' "$F"
# names, DNS and services answer
assert_json '.windows | (.netbios_name | length) > 0 and (.dns_servers | type) == "array" and (.services | length) > 0' "$F"
assert_json '.windows.services | any(.state == "running" and .start != null)' "$F"
assert_json '.errors | type == "array"' "$F"

say "win2003"
facts win2003
assert_json '.windows.version | .major == 5 and .minor == 2 and .build == 3790 and .product_type == "server"' "$F"

say "--version and a bad option"
wine_run "$P2V_AGENT_EXE" --version | grep -q '^p2v-agent .* for Windows' || fail "--version"
rc=0; wine_run "$P2V_AGENT_EXE" --bogus >/dev/null 2>&1 || rc=$?
assert_eq 1 "$rc" "exit status of a bad option"
