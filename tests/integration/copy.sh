#!/bin/bash
# copy.sh: the acceptance test of the transfer. Over real ssh from the node
# namespace, p2vmigrate copies a simulated physical server into a private
# area: a tree with every kind of entry (tests/hosts/make-tree.sh) must
# arrive identical (tests/tools/tree-manifest.sh), a rerun is an
# incremental sync, kills of p2vmigrate and of the agent resume with fewer
# bytes than a fresh copy, a full node filesystem gives a clear error and
# resumes once there is room, a file rewritten during the copy is never
# left half-old, and nothing is written outside the private area.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq ssh
need_agent
P2VMIGRATE=$P2V_BUILD_DIR/bin/p2vmigrate
MANIFEST=$P2V_SOURCE_DIR/tests/tools/tree-manifest.sh

source_up copy
TREE=/srv/xfs/tree                        # on the server's xfs partition (large xattrs)
say "making the fidelity tree in the server's $TREE"
bash "$P2V_SOURCE_DIR/tests/hosts/make-tree.sh" "$SRC_ROOT$TREE" --profile fidelity >/dev/null
# cp -al backups hard-link symlinks and device nodes too
ln -P "$SRC_ROOT$TREE/links/relative" "$SRC_ROOT$TREE/links/relative-second-name"
ln -P "$SRC_ROOT$TREE/special/fifo" "$SRC_ROOT$TREE/special/fifo-second-name"
# a big file to interrupt, and a file to rewrite during the copy
head -c $((96 << 20)) /dev/urandom >"$SRC_ROOT/srv/data/big.bin"

VZ=$TEST_TMP/vz
PRIV=$VZ/private/101
node_config "$TEST_TMP/p2v.conf" "$VZ"
export P2V_CONFIG=$TEST_TMP/p2v.conf

# Outside the private area nothing may change: watch the node's /etc and
# a sentinel directory the tree's absolute symlinks point near.
sha_outside() { sha256sum /etc/passwd /etc/hostname 2>/dev/null; find "$VZ" -maxdepth 2 -newer "$TEST_TMP/p2v.conf" -not -path "$VZ/private*" -not -path "$VZ/state*" -not -path "$VZ/conf*" | sort; }
mkdir -p "$VZ"
on_cleanup "chattr -R -ia '$TEST_TMP' 2>/dev/null || true"
sha_outside >"$TEST_TMP/outside.before"

migrate() {   # migrate ARGS...: run p2vmigrate --json in the node namespace; result in $TEST_TMP/result
    local rc=0
    node_run "$P2VMIGRATE" --json -e "$RSH" "$@" "root@$SRC_IP" 101 >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
    grep '"event":"result"' "$TEST_TMP/out" >"$TEST_TMP/result" || true
    echo "$rc"
}
result() { jq -r "$1" "$TEST_TMP/result"; }
same_tree() {   # same_tree WHAT: the manifest of the server's tree equals the copy's
    bash "$MANIFEST" "$SRC_ROOT$TREE" >"$TEST_TMP/m.src"
    bash "$MANIFEST" "$PRIV$TREE" >"$TEST_TMP/m.dst"
    diff -u "$TEST_TMP/m.src" "$TEST_TMP/m.dst" >"$TEST_TMP/m.diff" ||
        fail "$1: the copy differs from the source: $(head -30 "$TEST_TMP/m.diff")"
    cmp -s "$SRC_ROOT/srv/data/big.bin" "$PRIV/srv/data/big.bin" || fail "$1: big.bin differs"
}
no_tmp_left() {
    [ ! -e "$PRIV.p2v-tmp" ] || fail "$1: temporary files left in $PRIV.p2v-tmp: $(ls -A "$PRIV.p2v-tmp" | head)"
    [ ! -e "$PRIV/.p2v-tmp" ] || fail "$1: temporary files left in the container"
}

say "first copy"
rc=$(migrate)
[ "$rc" = 0 ] || fail "first copy exit $rc: $(cat "$TEST_TMP/err")"
same_tree "first copy"
no_tmp_left "first copy"
[ "$(result .status)" = done ] || fail "no result object"
full_wire=$(result .wire_in)
say "first copy: $(result .files_copied) files, $(result .bytes_copied) bytes, wire in $full_wire"
for d in /usr/bin /etc/ssh /var/lib/dpkg/info; do
    diff <(bash "$MANIFEST" "$SRC_ROOT$d") <(bash "$MANIFEST" "$PRIV$d") >"$TEST_TMP/d.diff" ||
        fail "$d differs between the server and the copy: $(head -5 "$TEST_TMP/d.diff")"
done
[ -L "$PRIV$TREE/links/abs-passwd" ] && [ "$(readlink "$PRIV$TREE/links/abs-passwd")" = /etc/passwd ] ||
    fail "an absolute symlink was not copied as a link"
[ ! -e "$PRIV/proc/1" ] && [ -d "$PRIV/proc" ] || fail "/proc must exist empty in the copy"

say "a rerun on a finished copy sends nothing"
rc=$(migrate)
[ "$rc" = 0 ] || fail "rerun exit $rc: $(cat "$TEST_TMP/err")"
# the running server's own logs (journal, wtmp) change between runs
[ "$(result .files_copied)" -le 3 ] || fail "a rerun copied $(result .files_copied) files of an idle server"
[ "$(result .wire_in)" -lt $((full_wire / 100)) ] || fail "a rerun moved $(result .wire_in) bytes of $full_wire"
same_tree "rerun"

say "incremental sync: edited, added, deleted, touched files"
echo "edited" >>"$SRC_ROOT$TREE/files/size-4096"
echo "new" >"$SRC_ROOT$TREE/added-file"
rm -f "$SRC_ROOT$TREE/files/one"
touch -d "2011-11-11 11:11:11.111111111" "$SRC_ROOT$TREE/files/empty"
dd if=/dev/urandom of="$SRC_ROOT/srv/data/big.bin" bs=4096 count=16 seek=1000 conv=notrunc status=none
rc=$(migrate)
[ "$rc" = 0 ] || fail "sync exit $rc: $(cat "$TEST_TMP/err")"
same_tree "sync"
[ ! -e "$PRIV$TREE/files/one" ] || fail "a file deleted on the source survived the sync"
sync_wire=$(result .wire_in)
[ "$sync_wire" -lt $((full_wire / 10)) ] || fail "the sync moved $sync_wire bytes, a full copy $full_wire"
[ "$(result .deltas)" -ge 1 ] || fail "the changed big file did not go by delta"
# the agent's sum of its delta and the node's of the patch agree (a
# mismatch would still end identical, by sending the file again whole)
[ "$(result .deltas_redone)" = 0 ] || fail "deltas_redone is $(result .deltas_redone): the agent's and the node's delta sums disagree"

say "a sync carries xattrs and ACLs changed without touching the data"
# setfattr/setfacl/chattr change the inode's ctime, never its mtime: the
# files stay "unchanged" for the data, their metadata must follow
setfattr -n user.text -v 'changed value' "$SRC_ROOT$TREE/xattr/file"
setfattr -x user.empty "$SRC_ROOT$TREE/xattr/file"
setfacl -m u:4242:r-- "$SRC_ROOT$TREE/flags/plain"
chattr -i "$SRC_ROOT$TREE/flags/immutable"
setfattr -n user.added -v on-immutable "$SRC_ROOT$TREE/flags/immutable"
chattr +i "$SRC_ROOT$TREE/flags/immutable"
chattr +a "$SRC_ROOT$TREE/flags/plain"
rc=$(migrate)
[ "$rc" = 0 ] || fail "metadata sync exit $rc: $(cat "$TEST_TMP/err")"
same_tree "metadata sync"
[ "$(result .metadata_updated)" -ge 3 ] ||
    fail "metadata_updated is $(result .metadata_updated) after three files' xattrs changed"
[ "$(result .files_copied)" -le 3 ] || fail "a metadata-only change copied $(result .files_copied) files"
chattr -a "$SRC_ROOT$TREE/flags/plain"
setfacl -b "$SRC_ROOT$TREE/flags/plain"

say "--verify: the copy equals the source, content included; a flipped byte is found"
# the running server's logs under /var change all the time: left out here
rc=$(migrate --verify --exclude '/var/*')
[ "$rc" = 0 ] || fail "verify of a good copy: exit $rc: $(cat "$TEST_TMP/err")"
assert_eq 0 "$(result .differences)" "differences found in a good copy"
victim=$PRIV$TREE/files/size-4096
printf 'X' | dd of="$victim" bs=1 seek=100 conv=notrunc status=none
touch -r "$SRC_ROOT$TREE/files/size-4096" "$victim"   # same size and mtime: only content differs
rc=$(migrate --verify --exclude '/var/*')
assert_eq 1 "$rc" "verify exit code for a corrupted copy"
assert_contains "$(cat "$TEST_TMP/err")" "verify: /srv/xfs/tree/files/size-4096: content differs"
assert_eq differs "$(result .status)" "result status"
cat "$SRC_ROOT$TREE/files/size-4096" >"$victim"
touch -r "$SRC_ROOT$TREE/files/size-4096" "$victim"

say "--compress: zstd on the wire, the same tree, far fewer bytes for text"
yes 'p2v compresses text on slow links' | head -c $((32 << 20)) >"$SRC_ROOT/srv/xfs/text.txt" || true
[ "$(stat -c %s "$SRC_ROOT/srv/xfs/text.txt")" = $((32 << 20)) ] || fail "could not make text.txt"
rc=0
node_run "$P2VMIGRATE" --json --compress --exclude '/usr/*' --exclude '/var/*' \
    --exclude /srv/data/big.bin -e "$RSH" "root@$SRC_IP" 103 >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
[ "$rc" = 0 ] || fail "compressed copy exit $rc: $(cat "$TEST_TMP/err")"
grep '"event":"result"' "$TEST_TMP/out" >"$TEST_TMP/result"
diff <(bash "$MANIFEST" "$SRC_ROOT$TREE") <(bash "$MANIFEST" "$VZ/private/103$TREE") >/dev/null ||
    fail "the compressed copy differs from the source"
cmp -s "$SRC_ROOT/srv/xfs/text.txt" "$VZ/private/103/srv/xfs/text.txt" || fail "text.txt differs"
[ "$(result .wire_in)" -lt $((8 << 20)) ] ||
    fail "--compress moved $(result .wire_in) bytes for 32 MiB of text and a sparse tree"
rm -f "$SRC_ROOT/srv/xfs/text.txt"

say "p2vmigrate killed with SIGKILL halfway through a file, then resumed"
head -c $((96 << 20)) /dev/urandom >"$SRC_ROOT/srv/data/big.bin"
( exec ip netns exec "$NODE_NS" "$P2VMIGRATE" -q -e "$RSH" "root@$SRC_IP" 101 >/dev/null 2>&1 ) &
pid=$!   # p2vmigrate itself (exec), so the kill hits it
for _ in $(seq 1 300); do
    part=$(find "$PRIV.p2v-tmp" -type f -size +30M 2>/dev/null | head -1 || true)
    [ -n "$part" ] && break
    sleep 0.1
done
[ -n "$part" ] || { kill -9 $pid 2>/dev/null; fail "never saw a partial file to interrupt"; }
kill -9 $pid
wait $pid 2>/dev/null || true
have=$(stat -c %s "$part")
rc=$(migrate)
[ "$rc" = 0 ] || fail "resume exit $rc: $(cat "$TEST_TMP/err")"
same_tree "resume after SIGKILL"
no_tmp_left "resume after SIGKILL"
[ "$(result .resumed)" -ge 1 ] || fail "the rerun did not resume the partial file"
resume_wire=$(result .wire_in)
[ "$resume_wire" -lt $(( (96 << 20) - have + (8 << 20) )) ] ||
    fail "resume moved $resume_wire bytes though $have of $((96 << 20)) were there"
say "resume sent $resume_wire bytes; $have bytes were already there"

say "the agent killed on the source, then resumed"
head -c $((96 << 20)) /dev/urandom >"$SRC_ROOT/srv/data/big.bin"
( exec ip netns exec "$NODE_NS" "$P2VMIGRATE" -q -e "$RSH" "root@$SRC_IP" 101 >/dev/null 2>"$TEST_TMP/killed.err" ) &
pid=$!
for _ in $(seq 1 300); do
    [ -n "$(find "$PRIV.p2v-tmp" -type f -size +30M 2>/dev/null | head -1)" ] && break
    sleep 0.1
done
src_ssh 'pkill -9 -f "p2v-agent --serve"' || true
rc=0
wait $pid || rc=$?
assert_eq 1 "$rc" "p2vmigrate exit when its agent is killed"
assert_contains "$(cat "$TEST_TMP/killed.err")" "agent"
rc=$(migrate)
[ "$rc" = 0 ] || fail "rerun after the agent was killed: exit $rc: $(cat "$TEST_TMP/err")"
same_tree "resume after the agent was killed"
no_tmp_left "resume after the agent was killed"

say "a file rewritten during the copy is never left half-old"
size=$((8 << 20))
(
    i=0
    while [ -e "$TEST_TMP/hot.run" ]; do
        c=$(printf "\\x$(printf %02x $((65 + i % 2)))")
        head -c $size /dev/zero | tr '\0' "$c" >"$SRC_ROOT/srv/data/hot.tmp"
        cat "$SRC_ROOT/srv/data/hot.tmp" >"$SRC_ROOT/srv/data/hot"   # rewritten in place
        i=$((i + 1))
    done
) &
writer=$!
touch "$TEST_TMP/hot.run"
on_cleanup "rm -f '$TEST_TMP/hot.run'; kill $writer 2>/dev/null || true"
sleep 1
rc=$(migrate --exclude /srv/data/hot.tmp)
rm -f "$TEST_TMP/hot.run"
wait $writer 2>/dev/null || true
[ "$rc" = 0 ] || fail "copy during rewrites: exit $rc: $(cat "$TEST_TMP/err")"
if [ -f "$PRIV/srv/data/hot" ]; then
    kinds=$(tr -d '\n' <"$PRIV/srv/data/hot" | fold -w1 | sort -u | tr -d '\n')
    [ "$kinds" = A ] || [ "$kinds" = B ] || fail "the copy of a rewritten file mixes versions ('$kinds')"
    [ "$(stat -c %s "$PRIV/srv/data/hot")" = $size ] || fail "the copy of a rewritten file has the wrong size"
fi
say "changed and re-sent: $(result .changed_resent), not copied: $(result .not_copied)"

say "a full node filesystem: a clear error, then a resume once there is room"
img=$TEST_TMP/small.img
truncate -s 48M "$img"
mkfs.ext4 -q -F "$img"
mkdir -p "$TEST_TMP/small"
mount -o loop "$img" "$TEST_TMP/small"
on_cleanup "umount '$TEST_TMP/small' 2>/dev/null || umount -l '$TEST_TMP/small'"
node_config "$TEST_TMP/small.conf" "$TEST_TMP/small"
rc=0
P2V_CONFIG=$TEST_TMP/small.conf node_run "$P2VMIGRATE" -q --exclude '/usr/*' --exclude '/var/*' \
    -e "$RSH" "root@$SRC_IP" 102 >/dev/null 2>"$TEST_TMP/full.err" || rc=$?
assert_eq 2 "$rc" "without --force the space estimate blocks"
assert_contains "$(cat "$TEST_TMP/full.err")" "destination-space"
rc=0
P2V_CONFIG=$TEST_TMP/small.conf node_run "$P2VMIGRATE" -q --force --exclude '/usr/*' --exclude '/var/*' \
    -e "$RSH" "root@$SRC_IP" 102 >/dev/null 2>"$TEST_TMP/full.err" || rc=$?
assert_eq 1 "$rc" "exit code when the node fills up"
assert_contains "$(cat "$TEST_TMP/full.err")" "No space left on device"
assert_contains "$(cat "$TEST_TMP/full.err")" "free space on the node"
# make room: this kernel refuses online ext4 resizing, so grow it offline
umount "$TEST_TMP/small"
truncate -s 512M "$img"
e2fsck -fy "$img" >/dev/null 2>&1 || true
resize2fs "$img" >/dev/null 2>&1 || fail "could not grow the small filesystem"
# a fresh loop device: another test's private mount namespace may still
# pin the old one, and mount -o loop would reuse it at its old size
loopdev=$(losetup -f --show "$img")
on_cleanup "losetup -d '$loopdev' 2>/dev/null || true"
mount "$loopdev" "$TEST_TMP/small"
[ "$(df --output=size -k "$TEST_TMP/small" | tail -1)" -gt 400000 ] || fail "the grown filesystem is not bigger"
rc=0
P2V_CONFIG=$TEST_TMP/small.conf node_run "$P2VMIGRATE" -q --force --exclude '/usr/*' --exclude '/var/*' \
    -e "$RSH" "root@$SRC_IP" 102 >/dev/null 2>"$TEST_TMP/full.err" || rc=$?
assert_eq 0 "$rc" "exit code of the resume after the disk was grown: $(cat "$TEST_TMP/full.err")"
cmp -s "$SRC_ROOT/srv/data/big.bin" "$TEST_TMP/small/private/102/srv/data/big.bin" || fail "big.bin differs after the disk-full resume"
[ ! -e "$TEST_TMP/small/private/102.p2v-tmp" ] || fail "temporary files left after the disk-full resume"

say "nothing outside the private areas changed"
sha_outside >"$TEST_TMP/outside.after"
diff -u "$TEST_TMP/outside.before" "$TEST_TMP/outside.after" || fail "something outside the private area changed"
left=$(src_ssh 'ls -d /tmp/p2v-agent.* /var/tmp/p2v-agent.* /dev/shm/p2v-agent.* 2>/dev/null || true')
assert_eq "" "$left" "agent upload directories left on the source"
