#!/bin/bash
# agent-oldroots: the static agent runs inside Debian 11 (bullseye) and
# Debian 12 (bookworm) roots: exit 0, valid JSON. Each root is a copy of the
# cached debootstrapped root, run with systemd-nspawn (no boot, no
# registration) so the agent sees that root's /proc, /sys and /etc.
#
# The /etc/os-release check (VERSION_ID="11" / "12") applies once the files
# collector exists: until the facts have a `files` member it is skipped with
# a message. The content is read from `.blob.text` (docs/facts.md), or from
# `.text` / `.blob.base64` should the collector write it that way.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq systemd-nspawn
need_agent

for pair in bullseye:11 bookworm:12; do
    suite=${pair%%:*} want=${pair#*:}
    cache=$("$P2V_HOSTS/cached-root.sh" "$suite") || fail "no cached $suite root"
    root=$TEST_TMP/root-$suite
    say "$suite: copying $cache"
    cp -a "$cache" "$root"
    install -m 755 "$P2V_AGENT" "$root/usr/local/sbin/p2v-agent"
    out=$TEST_TMP/facts-$suite.json
    err=$TEST_TMP/agent-$suite.err
    rc=0
    systemd-nspawn --quiet --register=no --keep-unit --pipe \
        --machine="p2v-old-$suite-$$" -D "$root" \
        --link-journal=no --resolv-conf=off --timezone=off \
        -- /usr/local/sbin/p2v-agent --facts --no-scan \
        </dev/null >"$out" 2>"$err" || rc=$?
    [ "$rc" = 0 ] || { cat "$err" >&2; fail "$suite: p2v-agent --facts --no-scan exited $rc"; }
    jq -e . "$out" >/dev/null || { head -c 2000 "$out" >&2; fail "$suite: invalid JSON"; }
    assert_json '.schema == 1' "$out"
    if jq -e 'has("files")' "$out" >/dev/null; then
        text=$(jq -r '.files[] | select(.path == "/etc/os-release")
                      | (.text // .blob.text // (.blob.base64 // "" | @base64d))' "$out")
        assert_contains "$text" "VERSION_ID=\"$want\"" "$suite: /etc/os-release in the facts"
        say "$suite: agent ok, os-release says VERSION_ID=\"$want\""
    else
        say "$suite: agent ok; no 'files' member yet, os-release check skipped"
    fi
    rm -rf --one-file-system "$root"
done
