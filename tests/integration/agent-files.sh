#!/bin/bash
# agent-files: the agent's file server (issue #3, agent side) on a real
# tree built here: LIST_REQ lists every kind of entry faithfully, and
# FILE_REQ sends files whole, by delta and by resume, byte-identical.
# tests/tools/xfer-driver.c plays the node (system librsync, real libb2),
# so a node signature -> static agent delta -> node patch round trip also
# proves the agent's own BLAKE2b agrees with libb2.
. "$(dirname "$0")/lib.sh"
need_root
need_agent
need_cmd setfattr setfacl setcap chattr mknod mkfifo python3 cmp du setpriv truncate
DRIVER=$P2V_BUILD_DIR/bin/xfer-driver
[ -x "$DRIVER" ] || fail "no driver at $DRIVER (build the xfer-driver target)"

rm -rf "$TEST_TMP"
mkdir -p "$TEST_TMP"
chmod 755 "$TEST_TMP"
T=$TEST_TMP/tree
O=$TEST_TMP/out
mkdir -p "$T" "$O"

# --- the tree -------------------------------------------------------------
printf 'hello\n' >"$T/file"
setfattr -n user.color -v blue "$T/file"
setfattr -n trusted.secret -v 42 "$T/file"
touch -d @1000000000.123456789 "$T/file"
mkdir -p "$T/dir/sub"
ln "$T/file" "$T/dir/hl"
ln -s /etc/passwd "$T/abs"
ln -s ../../file "$T/dir/sub/up"
mknod "$T/chr" c 1 3
mknod "$T/blk" b 7 200
mkfifo "$T/fifo"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/sock"
install -m 4755 /dev/null "$T/suid"
mkdir -m 2775 "$T/sgid"
mkdir -m 1777 "$T/sticky"
chmod 2775 "$T/sgid"; chmod 1777 "$T/sticky"
touch "$T/owned"
chown 43210:43211 "$T/owned"
touch "$T/acl"
setfacl -m u:43210:rwx "$T/acl"
setfacl -d -m u:43210:rx "$T/dir"
touch "$T/cap"
setcap cap_net_raw+ep "$T/cap"
touch "$T/immut"
on_cleanup "chattr -i '$T/immut' 2>/dev/null"
chattr +i "$T/immut"
printf 'n' >"$T/new
line"
printf 'u' >"$T/bad"$'\xff\xfe'
long=$(printf 'L%.0s' $(seq 255))
printf 'l' >"$T/$long"
printf 'd' >"$T/-dash"
mkdir -p "$T/skipme/deep" "$T/dir2"
touch "$T/skipme/deep/f" "$T/dir2/x.tmp" "$T/dir2/keep"
# a path longer than P2V_PATH_MAX: 20 levels of 250-byte names
python3 - "$T" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(20):
    name = "D" * 249 + chr(ord("a") + i)
    if i == 0: name = "toolong"
    os.mkdir(name, dir_fd=fd)
    nfd = os.open(name, os.O_RDONLY, dir_fd=fd); os.close(fd); fd = nfd
os.close(os.open("leaf", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd))
EOF
# data files
head -c 5000000 /dev/urandom >"$T/big"
truncate -s 64M "$T/sparse"
printf 'data' | dd of="$T/sparse" bs=1 seek=10485760 conv=notrunc status=none
printf 'more' | dd of="$T/sparse" bs=1 seek=31457280 conv=notrunc status=none
# a mount point inside the tree, not in roots
mkdir "$T/mnt"
mount -t tmpfs p2v-test-tmpfs "$T/mnt"
on_cleanup "umount '$T/mnt'"
touch "$T/mnt/inside"

# --- listing --------------------------------------------------------------
list=$TEST_TMP/list.txt
"$DRIVER" "$P2V_AGENT" "$T" -x /skipme -x '/dir2/*.tmp' >"$list" 2>"$TEST_TMP/list.err" ||
    fail "listing failed: $(cat "$TEST_TMP/list.err")"
entry() { grep -E "^entry $1 " "$list" || fail "no entry for $1 in the listing"; }
has() { local e; e=$(entry "$1"); assert_contains "$e" "$2" "entry $1"; }

has '' 'type=directory'
has file 'type=file mode=0644 uid=0 gid=0 size=6 mtime=1000000000.123456789'
has file 'x:user.color=626c7565'
has file 'x:trusted.secret=3432'
hl=$(grep -cE '^entry (file|dir/hl) .*type=hard link' "$list" || true)
assert_eq 1 "$hl" "exactly one of the two names is a hard link"
grep -qE '^entry (file .*link=dir/hl|dir/hl .*link=file)$|^entry (file .*link=dir/hl|dir/hl .*link=file) ' "$list" ||
    fail "hard link does not name the first path"
has abs 'type=symlink'
has abs 'link=/etc/passwd'
has dir/sub/up 'link=../../file'
has chr 'type=char device'
has chr 'rdev=1,3'
has blk 'type=block device'
has blk 'rdev=7,200'
has fifo 'type=fifo'
has sock 'type=socket'
has suid 'mode=4755'
has sgid 'mode=2775'
has sticky 'mode=1777'
has owned 'uid=43210 gid=43211'
has acl 'x:system.posix_acl_access='
has dir 'x:system.posix_acl_default='
has cap 'x:security.capability='
fl=$(entry immut | sed -E 's/.* fsflags=(0x[0-9a-f]+|0) .*/\1/')
(( (fl & 0x10) != 0 )) || fail "immutable flag not reported (fsflags=$fl)"
has 'new\\012line' 'type=file'
has 'bad\\377\\376' 'type=file'
has "$long" 'size=1'
has '-dash' 'type=file'
has sparse 'flags=1'
has mnt 'type=directory'
grep -q '^entry mnt/inside ' "$list" && fail "descended into a mount point that is not a root"
grep -qE '^entry skipme' "$list" && fail "excluded directory listed"
grep -q '^entry dir2/x.tmp ' "$list" && fail "excluded file listed"
has dir2/keep 'type=file'
grep -qE '^warn toolong/.* longer than 4096 bytes' "$list" || fail "no warning for the over-long path"
grep -q '^end entries=' "$list" || fail "no LIST_END"
n=$(grep -c '^entry ' "$list")
assert_contains "$(tail -1 "$list")" "end entries=$n " "LIST_END counts the entries"

# the same tree with the tmpfs as a root: its contents appear
"$DRIVER" "$P2V_AGENT" "$T" -r "$T/mnt" -x /toolong >"$TEST_TMP/list2.txt" || fail "second listing failed"
grep -q '^entry mnt/inside ' "$TEST_TMP/list2.txt" || fail "a mount point in roots was not entered"
say "listing: every entry type, modes, owners, times, xattrs, ACLs, caps, flags, names OK"

# --- transfers ------------------------------------------------------------
head -c 2000000 "$T/big" >"$O/partial"
cp "$T/big" "$O/basis"
printf 'CHANGED' | dd of="$O/basis" bs=1 seek=1234567 conv=notrunc status=none
xfer=$TEST_TMP/xfer.txt
"$DRIVER" "$P2V_AGENT" "$T" -x /toolong \
    whole big "$O/big.whole" \
    delta big "$O/basis" "$O/big.delta" \
    resume big "$O/partial" "$O/big.resume" \
    whole sparse "$O/sparse" \
    whole $'new\nline' "$O/newline" \
    whole gone "$O/gone" \
    whole abs "$O/abs" \
    whole file "$O/file" >"$xfer" 2>"$TEST_TMP/xfer.err" || fail "transfer failed: $(cat "$TEST_TMP/xfer.err")"
cat "$xfer" | grep '^file ' | sed "s/^/[$TEST_NAME]   /"
cmp "$T/big" "$O/big.whole" || fail "WHOLE copy differs"
cmp "$T/big" "$O/big.delta" || fail "DELTA copy differs"
cmp "$T/big" "$O/big.resume" || fail "RESUME copy differs"
cmp "$T/sparse" "$O/sparse" || fail "sparse copy differs"
cmp "$T/file" "$O/file" || fail "small file differs"
cmp "$T/new
line" "$O/newline" || fail "file with a newline in its name differs"
mapfile -t lines < <(grep '^file ' "$xfer")
assert_contains "${lines[0]}" "status=0 size=5000000" "WHOLE"
assert_contains "${lines[0]}" "data=5000000 delta=0" "WHOLE sends data"
d=$(sed -E 's/.* delta=([0-9]+) .*/\1/' <<<"${lines[1]}")
assert_contains "${lines[1]}" "status=0 size=5000000 mtime=" "DELTA"
(( d < 100000 )) || fail "DELTA sent $d bytes for a 7-byte change: agent and node BLAKE2b disagree?"
assert_contains "${lines[2]}" "status=0 size=5000000 mtime=" "RESUME"
assert_contains "${lines[2]}" "data=3000000 " "RESUME sends the missing tail raw"
d=$(sed -E 's/.* delta=([0-9]+) .*/\1/' <<<"${lines[2]}")
(( d < 10000 )) || fail "RESUME delta of $d bytes over a matching prefix"
assert_contains "${lines[3]}" "status=0 size=67108864" "sparse"
assert_contains "${lines[3]}" "holes=3" "sparse: leading, middle and trailing holes"
src_kb=$(du -k "$T/sparse" | cut -f1)
dst_kb=$(du -k "$O/sparse" | cut -f1)
(( dst_kb <= src_kb + 64 )) || fail "sparse copy lost its holes: $dst_kb KiB against $src_kb KiB"
assert_contains "${lines[5]}" "status=2" "vanished file"
assert_contains "${lines[6]}" "status=2" "symlink requested as a file is not followed"
say "transfers: WHOLE/DELTA/RESUME identical, holes kept ($dst_kb KiB), vanished OK"

# --- a file that changes while it is read ---------------------------------
head -c 300000000 /dev/zero >"$T/growing"
( while :; do head -c 65536 /dev/zero >>"$T/growing"; done ) &
writer=$!
on_cleanup "kill $writer 2>/dev/null || true"
sleep 0.2
"$DRIVER" "$P2V_AGENT" "$T" -x /toolong whole growing "$O/growing" >"$TEST_TMP/grow.txt" ||
    fail "transfer of a growing file failed"
kill "$writer"; wait "$writer" 2>/dev/null || true
assert_contains "$(grep '^file ' "$TEST_TMP/grow.txt")" "status=1" "a file appended to while read is CHANGED"
rm -f "$T/growing" "$O/growing"
say "a file appended to during the transfer is reported CHANGED"

# --- unreadable, as an unprivileged agent ---------------------------------
# Root reads everything, so the agent runs as nobody here (setpriv), over
# a small tree with a mode-000 file and a mode-000 directory.
U=$TEST_TMP/unpriv
mkdir -p "$U/closed"
touch "$U/closed/f"
printf 'secret' >"$U/noread"
chmod 000 "$U/noread" "$U/closed"
cp "$P2V_AGENT" "$TEST_TMP/agent"
chmod 755 "$TEST_TMP/agent"
printf '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups %s "$@"\n' "$TEST_TMP/agent" \
    >"$TEST_TMP/agent-nobody"
chmod 755 "$TEST_TMP/agent-nobody"
"$DRIVER" "$TEST_TMP/agent-nobody" "$U" whole noread "$O/noread" >"$TEST_TMP/unpriv.txt" ||
    fail "unprivileged run failed"
grep -q '^warn closed cannot open directory: Permission denied' "$TEST_TMP/unpriv.txt" ||
    fail "no warning for an unreadable directory: $(cat "$TEST_TMP/unpriv.txt")"
grep -q '^entry closed type=directory' "$TEST_TMP/unpriv.txt" || fail "unreadable directory not listed itself"
assert_contains "$(grep '^file ' "$TEST_TMP/unpriv.txt")" "status=3" "unreadable file"
assert_contains "$(grep '^file ' "$TEST_TMP/unpriv.txt")" "msg=Permission\\040denied" "unreadable file"
say "unreadable file (ERROR) and directory (LIST_WARN) reported"
