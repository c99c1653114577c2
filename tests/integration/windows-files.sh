#!/bin/bash
# windows-files.sh: p2v-agent.exe serves files under wine (issue #6):
# LIST_REQ of a tree in the wine prefix with non-ASCII (BMP and astral)
# and long names (paths over MAX_PATH: "\\?\"), FILE_REQ WHOLE for every
# file, byte-identical with the listed sizes and mtimes; then the agent
# dies mid-file (its output cut) and RESUME from the partial repairs and
# completes it, as do DELTA and a RESUME over a corrupted prefix (the
# agent's own librsync-format delta, patched by the system librsync).
# tests/tools/xfer-driver.c plays the node for that part. Then, as root,
# p2vmigrate itself pulls the tree (the system drive, excludes keeping only
# the test tree) into the private area, is cut off mid-copy, and resumes.
. "$(dirname "$0")/wine-lib.sh"
wine_reexec "$0" "$@"
. "$(dirname "$0")/lib.sh"
need_cmd python3 cmp
wine_setup
DRIVER=$P2V_BUILD_DIR/bin/xfer-driver
[ -x "$DRIVER" ] || skip "no $DRIVER (needs the system librsync)"

rm -rf "$TEST_TMP/out" "$TEST_TMP/agent" "$TEST_TMP/vz"
mkdir -p "$TEST_TMP/out"
NAME=p2vtest-$$
T=$WINEPREFIX/drive_c/$NAME
rm -rf "$T"
mkdir -p "$T"
on_cleanup "rm -rf '$T'"

# The node runs `AGENT --serve`: this one starts p2v-agent.exe under wine;
# with P2V_CUT=N the agent's output is cut after N bytes and it dies of
# the broken pipe, as if killed in the middle of a file (neither head,
# whose stdio holds back the HELLO, nor dd, which counts short reads).
W=$TEST_TMP/wine-cut
cat >"$W" <<EOF
#!/bin/bash
if [ -n "\${P2V_CUT:-}" ]; then
    "$WINE64" "\$@" | python3 -c '
import os, sys
left = int(sys.argv[1])
while left > 0:
    b = os.read(0, min(left, 65536))
    if not b:
        break
    os.write(1, b)
    left -= len(b)' "\$P2V_CUT"
    exit 1
fi
exec "$WINE64" "\$@"
EOF
A=$TEST_TMP/agent
printf '#!/bin/bash\nexec "%s" "%s" "$@"\n' "$W" "$P2V_AGENT_EXE" >"$A"
chmod +x "$W" "$A"

# --- the tree -------------------------------------------------------------
mkdir -p "$T/données/été" "$T/日本語" "$T/empty"
printf 'bonjour\n' >"$T/données/été/café.txt"
printf 'こんにちは\n' >"$T/日本語/ファイル.txt"
printf 'party\n' >"$T/🎉 emoji.txt"           # a surrogate pair in UTF-16
printf '' >"$T/zero"
long=$(printf 'x%.0s' $(seq 200))
mkdir -p "$T/$long/$long/$long"                    # over 600 characters: past MAX_PATH
printf 'deep\n' >"$T/$long/$long/$long/Ü-$long.txt"
mkdir "$T/target"
ln -s target "$T/dirlink"                           # wine: a reparse point
head -c 3000000 /dev/urandom >"$T/big.bin"
head -c 100000 /dev/urandom >"$T/données/medium.bin"
python3 - "$T" <<'EOF'
import os, sys
t = 1000000000
for i, (d, _, files) in enumerate(os.walk(sys.argv[1])):
    for j, f in enumerate(files):   # FILETIME keeps 100 ns: times on that grain
        ns = (t + 1000 * i + j) * 10**9 + 123456700
        os.utime(os.path.join(d, f), ns=(ns, ns))
EOF

# --- listing --------------------------------------------------------------
say "LIST_REQ C:\\$NAME"
"$DRIVER" "$A" "C:\\$NAME" >"$TEST_TMP/list.txt" 2>"$TEST_TMP/err" || { cat "$TEST_TMP/err"; fail "listing"; }
# what the listing must say, from the Unix side of the prefix
python3 - "$T" >"$TEST_TMP/want.txt" <<'EOF'
import os, sys
root = sys.argv[1]
def esc(b):
    return "".join("\\%03o" % c if c <= 32 or c >= 127 or c in b"\\=" else chr(c) for c in b)
n = size = 0
out = []
for d, dirs, files in os.walk(root):   # dirlink: in dirs, not walked
    rel = os.path.relpath(d, root)
    rel = "" if rel == "." else rel
    out.append("entry %s type=directory mode=0755 uid=0 gid=0 fsflags=0 flags=0" % esc(rel.encode()))
    n += 1
    for f in files:
        st = os.lstat(os.path.join(d, f))
        p = os.path.join(rel, f)
        ns = st.st_mtime_ns // 100 * 100
        out.append("entry %s type=file mode=0644 uid=0 gid=0 size=%d mtime=%d.%09d fsflags=0 flags=0"
                   % (esc(p.encode()), st.st_size, ns // 10**9, ns % 10**9))
        n += 1
        size += st.st_size
for line in sorted(out):
    print(line)
print("end entries=%d bytes=%d" % (n, size))
EOF
{ grep '^entry ' "$TEST_TMP/list.txt" | sort; grep '^end ' "$TEST_TMP/list.txt"; } >"$TEST_TMP/got.txt"
diff -u "$TEST_TMP/want.txt" "$TEST_TMP/got.txt" || fail "the listing differs from the tree"
# what cannot be carried is reported: the symlink, and the ACLs wine makes
# up from Unix modes (explicit entries, as a real volume has on a few)
grep -qx 'warn dirlink reparse point.* not carried: not listed' "$TEST_TMP/list.txt" ||
    fail "the reparse point dirlink is not reported"
if grep '^warn ' "$TEST_TMP/list.txt" | grep -v '^warn dirlink \|ACL not carried'; then
    fail "unexpected warnings"
fi

say "the same tree as /c/$NAME, and / as the system drive's root"
"$DRIVER" "$A" "/c/$NAME" >"$TEST_TMP/list2.txt" 2>"$TEST_TMP/err" || { cat "$TEST_TMP/err"; fail "listing /c/"; }
cmp -s <(grep -v '^warn ' "$TEST_TMP/list.txt" | sort) <(grep -v '^warn ' "$TEST_TMP/list2.txt" | sort) ||
    fail "/c/$NAME lists differently from C:\\$NAME"
"$DRIVER" "$A" / -x '/*/*' >"$TEST_TMP/root.txt" 2>"$TEST_TMP/err" || { cat "$TEST_TMP/err"; fail "listing /"; }
grep -qx "entry $NAME type=directory .*" "$TEST_TMP/root.txt" || fail "/ does not list C:\\$NAME"
grep -q "^entry $NAME/" "$TEST_TMP/root.txt" && fail "the exclude /*/* did not hold"

# --- whole files ----------------------------------------------------------
say "FILE_REQ WHOLE for every file"
mapfile -t files < <(cd "$T" && find . -type f -printf '%P\n' | sort)
reqs=()
for i in "${!files[@]}"; do reqs+=(whole "${files[$i]}" "$TEST_TMP/out/$i"); done
"$DRIVER" "$A" "C:\\$NAME" "${reqs[@]}" >"$TEST_TMP/whole.txt" 2>"$TEST_TMP/err" || { cat "$TEST_TMP/err"; fail "whole"; }
for i in "${!files[@]}"; do
    cmp "$T/${files[$i]}" "$TEST_TMP/out/$i" || fail "${files[$i]} differs"
done
[ "$(grep -c '^file .* status=0 ' "$TEST_TMP/whole.txt")" = "${#files[@]}" ] || { cat "$TEST_TMP/whole.txt"; fail "not all OK"; }
grep -q "^file big.bin status=0 size=3000000 mtime=10000000[0-9][0-9]\.123456700 data=3000000 delta=0" "$TEST_TMP/whole.txt" ||
    fail "big.bin: size, mtime or bytes: $(grep '^file big' "$TEST_TMP/whole.txt")"

say "not regular files, and bad paths"
"$DRIVER" "$A" "C:\\$NAME" whole données "$TEST_TMP/out/d" whole ../x "$TEST_TMP/out/e" \
    whole nosuch "$TEST_TMP/out/f" >"$TEST_TMP/bad.txt" 2>&1 || { cat "$TEST_TMP/bad.txt"; fail "bad requests"; }
grep -q '^file donn.* status=2 ' "$TEST_TMP/bad.txt" || fail "a directory is not VANISHED"
grep -q '^file \.\./x status=3 ' "$TEST_TMP/bad.txt" || fail "../x is not refused"
grep -q '^file nosuch status=2 ' "$TEST_TMP/bad.txt" || fail "a missing file is not VANISHED"

# --- killed mid-file, then resumed ----------------------------------------
say "the agent dies in the middle of big.bin; RESUME completes it"
rc=0
P2V_CUT=1500000 "$DRIVER" "$A" "C:\\$NAME" whole big.bin "$TEST_TMP/part" >/dev/null 2>"$TEST_TMP/err" || rc=$?
[ "$rc" != 0 ] || fail "the cut transfer succeeded"
[ -f "$TEST_TMP/part" ] || { cat "$TEST_TMP/err"; fail "no partial file"; }
have=$(stat -c %s "$TEST_TMP/part")
{ [ "$have" -gt 0 ] && [ "$have" -lt 3000000 ]; } || fail "partial of $have bytes"
cmp -n "$have" "$T/big.bin" "$TEST_TMP/part" || fail "the partial is not a prefix"
"$DRIVER" "$A" "C:\\$NAME" resume big.bin "$TEST_TMP/part" "$TEST_TMP/resumed" >"$TEST_TMP/res.txt" 2>"$TEST_TMP/err" ||
    { cat "$TEST_TMP/err"; fail "resume"; }
cmp "$T/big.bin" "$TEST_TMP/resumed" || fail "the resumed file differs"
line=$(grep '^file big.bin' "$TEST_TMP/res.txt")
say "  partial $have bytes: $line"
grep -q "status=0 .* data=$((3000000 - have)) " <<<"$line" || fail "the tail was not sent raw from $have"
delta=${line##* delta=}
delta=${delta%% *}
[ "$delta" -lt 4096 ] || fail "the verified prefix cost $delta delta bytes"

say "RESUME over a corrupted prefix and DELTA against an edited copy repair it"
cp "$TEST_TMP/part" "$TEST_TMP/bad-part"
printf 'XXXXXXXX' | dd of="$TEST_TMP/bad-part" bs=1 seek=700000 conv=notrunc status=none
cp "$T/big.bin" "$TEST_TMP/edited"
printf 'edit' | dd of="$TEST_TMP/edited" bs=1 seek=2000000 conv=notrunc status=none
"$DRIVER" "$A" "C:\\$NAME" resume big.bin "$TEST_TMP/bad-part" "$TEST_TMP/r2" \
    delta big.bin "$TEST_TMP/edited" "$TEST_TMP/d2" >"$TEST_TMP/rd.txt" 2>"$TEST_TMP/err" ||
    { cat "$TEST_TMP/err"; fail "resume/delta"; }
cmp "$T/big.bin" "$TEST_TMP/r2" || fail "RESUME over a corrupted prefix differs"
cmp "$T/big.bin" "$TEST_TMP/d2" || fail "DELTA differs"
grep '^file' "$TEST_TMP/rd.txt" | while read -r l; do say "  $l"; done
[ "$(grep -c 'status=0 ' "$TEST_TMP/rd.txt")" = 2 ] || fail "not both OK"

# --- p2vmigrate: the pull into the private area, killed and resumed --------
if [ "$(id -u)" != 0 ]; then
    say "ok (the p2vmigrate pull needs root: not run)"
    exit 0
fi
say "p2vmigrate pulls C: (--exclude '/[!p]*': only $NAME) into the private area; the agent dies mid-copy"
V=$TEST_TMP/vz
node_config "$TEST_TMP/p2v.conf" "$V"
echo "NODE_OS=windows-2008" >>"$TEST_TMP/p2v.conf"
wine_version win2008
pull() {   # pull LOG: p2vmigrate through wine-rsh.sh, the agent under $W
    local rc=0
    P2V_CONFIG=$TEST_TMP/p2v.conf WINE64=$W "$P2V_BUILD_DIR/bin/p2vmigrate" \
        -e "$P2V_SOURCE_DIR/tests/integration/wine-rsh.sh" --agent "$P2V_AGENT_EXE" \
        --exclude '/[!p]*' winsrv 101 >"$1" 2>&1 || rc=$?
    echo "$rc"
}
rc=$(P2V_CUT=2500000 pull "$TEST_TMP/pull1.log")
[ "$rc" != 0 ] || { cat "$TEST_TMP/pull1.log"; fail "the cut pull succeeded"; }
P=$V/private/101
say "  first pass failed ($rc) as the agent died: $(tail -1 "$TEST_TMP/pull1.log" | cut -c1-150)"
rc=$(pull "$TEST_TMP/pull2.log")
[ "$rc" = 0 ] || { cat "$TEST_TMP/pull2.log"; fail "the second pull: exit $rc"; }
grep -E '^p2vmigrate: done: .* [1-9][0-9]* resumed' "$TEST_TMP/pull2.log" ||
    { cat "$TEST_TMP/pull1.log" "$TEST_TMP/pull2.log"; fail "nothing resumed"; }
diff -r -x dirlink "$T" "$P/$NAME" || fail "the private area differs from the source"
python3 - "$T" "$P/$NAME" <<'EOF' || fail "mtimes or sizes differ in the private area"
import os, sys
src, dst = sys.argv[1:]
for d, dirs, files in os.walk(src):
    for f in files:
        a = os.lstat(os.path.join(d, f))
        b = os.lstat(os.path.join(dst, os.path.relpath(d, src), f))
        if a.st_mtime_ns // 100 * 100 != b.st_mtime_ns or a.st_size != b.st_size:
            sys.exit("%s: mtime %d/%d size %d/%d" % (os.path.join(d, f), a.st_mtime_ns,
                                                     b.st_mtime_ns, a.st_size, b.st_size))
EOF
grep -q "not carried" "$TEST_TMP/pull2.log" || fail "the node did not pass the agent's warnings on"
grep -q "no Linux conversion" "$TEST_TMP/pull2.log" || fail "a Windows pull did not say it skips the Linux conversion"
[ ! -e "$P/dev/null" ] && [ ! -e "$P/etc" ] || fail "the Linux conversion ran on a Windows tree"
say "ok"
