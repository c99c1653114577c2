#!/bin/bash
# tree-manifest.sh: self-test of tests/hosts/make-tree.sh and
# tests/tools/tree-manifest.sh.
#
# The fidelity tree is made on a loop-mounted ext4 (chattr flags need it),
# copied with rsync -aHAXS --numeric-ids to a second loop ext4 (inode flags
# re-applied by hand: rsync cannot copy them), and the two manifests must be
# equal; make-tree run twice must give the same manifest. Then one property
# at a time is changed in a fresh copy and the manifests must differ, on the
# line of the changed entry and in the expected field.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd rsync bsdtar getfattr setfattr setfacl setcap chattr losetup mkfs.ext4 fallocate openssl

MAKE_TREE=$P2V_SOURCE_DIR/tests/hosts/make-tree.sh
MANIFEST=$P2V_SOURCE_DIR/tests/tools/tree-manifest.sh

# ---------------------------------------------------------- two loop ext4
# Each image is attached and mounted with its cleanup registered first;
# cleanup detaches only the loop device whose backing file is our image.
detach_ours() { # DEV IMG
    local back
    back=$(losetup -n -O BACK-FILE "$1" 2>/dev/null | sed 's/ *$//; s/ (deleted)$//') || return 0
    if [ "$back" = "$2" ]; then losetup -d "$1"; fi
}
unflag_tree() { # DIR: clear i/a flags so the tree can be removed
    [ -d "$1" ] || return 0
    find "$1" -xdev -type f -exec chattr -i -a -- {} + 2>/dev/null || true
}
loop_fs() { # NAME -> mount point $TEST_TMP/NAME
    local name=$1 img=$TEST_TMP/$1.img mnt=$TEST_TMP/$1 dev
    truncate -s 400M "$img"
    mkfs.ext4 -q -F -b 4096 -O ^has_journal "$img"
    dev=$(losetup --find --show "$img")
    on_cleanup "detach_ours '$dev' '$img'"
    mkdir -p "$mnt"
    on_cleanup "if mountpoint -q '$mnt'; then unflag_tree '$mnt'; umount '$mnt'; fi"
    mount "$dev" "$mnt"
}
loop_fs src
loop_fs dst
SRC=$TEST_TMP/src/tree
DST=$TEST_TMP/dst/tree

say "making the fidelity tree"
"$MAKE_TREE" "$SRC" --profile fidelity
"$MANIFEST" "$SRC" >"$TEST_TMP/src.manifest"
n=$(wc -l <"$TEST_TMP/src.manifest")
say "manifest: $n entries"
[ "$n" -gt 100 ] || fail "manifest too short ($n lines)"

# Every kind of entry is in the manifest.
m=$TEST_TMP/src.manifest
for want in 'type=c' 'type=b' 'type=p' 'type=l' 'rdev=1:3' 'rdev=7:200' 'mode=4755' 'mode=2755' \
            'mode=1777' 'uid=12345 gid=54321' 'mtime=981173106.123456789' 'alloc=sparse' \
            'hl=hard/other/three-3' 'x:user.binary=0x00ff10fe7f80000a' 'x:trusted.p2v=' 'acl=u::' \
            'dacl=u::' 'cap=0x' 'flags=schg' 'flags=sappnd' 'target=/etc/passwd' 'target=../../..' \
            'names/new\012line ' 'names/bad\377\376utf8 ' 'names/tab\011here '; do
    grep -qF -- "$want" "$m" || fail "manifest lacks '$want'"
done
if command -v socat >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1; then
    grep -q 'type=s' "$m" || fail "manifest lacks the UNIX socket"
fi
# The sparse file takes little room.
alloc_kb=$(du -k "$SRC/sparse/vm.img" | cut -f1)
[ "$alloc_kb" -lt 1024 ] || fail "sparse/vm.img allocates ${alloc_kb} KiB"
# The long path is close to 4096 bytes.
longest=$(cd "$SRC" && find . -type f -printf '%P\n' | awk '{ if (length($0) > m) m = length($0) } END { print m }')
[ "$longest" -ge 3900 ] || fail "longest path is only $longest bytes"

# make-tree is deterministic.
"$MAKE_TREE" "$DST.again" --profile fidelity 2>/dev/null
"$MANIFEST" "$DST.again" >"$TEST_TMP/again.manifest"
if ! diff -u "$TEST_TMP/src.manifest" "$TEST_TMP/again.manifest" >"$TEST_TMP/again.diff"; then
    head -n 20 "$TEST_TMP/again.diff"
    fail "two runs of make-tree gave different manifests"
fi
unflag_tree "$DST.again"; rm -rf "$DST.again"
say "make-tree is deterministic"

# fresh_copy: DST = an rsync copy of SRC with the inode flags re-applied.
fresh_copy() {
    unflag_tree "$DST"
    rm -rf "$DST"
    rsync -aHAXS --numeric-ids "$SRC/" "$DST/"
    chattr +i "$DST/flags/immutable"
    chattr +a "$DST/flags/append-only"
}
fresh_copy
"$MANIFEST" "$DST" >"$TEST_TMP/dst.manifest"
if ! diff -u "$TEST_TMP/src.manifest" "$TEST_TMP/dst.manifest" >"$TEST_TMP/copy.diff"; then
    head -n 40 "$TEST_TMP/copy.diff"
    fail "the copy's manifest differs from the source's"
fi
say "identical copy on another filesystem: same manifest"

# mutate NAME FIELD ENTRY 'shell command run in DST': manifests must differ
# on ENTRY's line, in FIELD.
mutations=0
mutate() {
    local name=$1 field=$2 entry=$3 cmd=$4 d
    fresh_copy
    (cd "$DST" && eval "$cmd") || fail "mutation '$name' could not be applied"
    "$MANIFEST" "$DST" >"$TEST_TMP/mut.manifest"
    if diff "$TEST_TMP/src.manifest" "$TEST_TMP/mut.manifest" >"$TEST_TMP/mut.diff"; then
        fail "mutation '$name' ($cmd) left the manifest unchanged"
    fi
    d=$(grep '^[<>] ' "$TEST_TMP/mut.diff")
    printf '%s\n' "$d" | grep -qF -e "> $entry " -e "< $entry " || fail "mutation '$name': no changed line for '$entry':
$d"
    local got_old got_new
    got_old=$(printf '%s\n' "$d" | grep -F -- "< $entry " | tr ' ' '\n' | grep -E "^$field" || true)
    got_new=$(printf '%s\n' "$d" | grep -F -- "> $entry " | tr ' ' '\n' | grep -E "^$field" || true)
    [ "$got_old" != "$got_new" ] || fail "mutation '$name': field '$field' of '$entry' did not change:
$d"
    say "  $name: $(printf '%s\n' "$d" | grep -c '^>') line(s) differ; $entry: ${got_old:-none} -> ${got_new:-none}"
    mutations=$((mutations + 1))
}
say "one change at a time:"
mutate mode           'mode='      files/one         'chmod 0600 files/one'
mutate owner          'uid='       files/text        'chown -h 1:0 files/text'
mutate group          'gid='       owners/file       'chgrp -h 54322 owners/file'
mutate mtime-ns       'mtime='     times/ns          "touch -h -d '2001-02-03 04:05:06.123456788' times/ns"
mutate one-byte       'sha256='    files/size-4096   'printf X | dd of=files/size-4096 bs=1 seek=100 conv=notrunc status=none; touch -h -r "$SRC/files/size-4096" files/size-4096'
mutate xattr          'x:user.text=' xattr/file      "setfattr -n user.text -v 'hello worle' xattr/file"
mutate xattr-binary   'x:user.binary=' xattr/file    'setfattr -n user.binary -v 0x00ff10fe7f80000b xattr/file'
mutate xattr-trusted  'x:trusted.p2v=' xattr/file    'setfattr -x trusted.p2v xattr/file'
mutate acl            'acl='       acl/file          'setfacl -m u:1000:r-x acl/file'
mutate default-acl    'dacl='      acl/dir           'setfacl -d -m u:1000:r-- acl/dir'
mutate capability     'cap='       caps/ping         'setcap cap_net_admin+ep caps/ping'
mutate hardlink-broken 'hl='       hard/a-same-dir   'cp -p hard/a-same-dir hard/.tmp && mv hard/.tmp hard/a-same-dir && touch -h -r "$SRC/hard" hard'
mutate hole-filled    'alloc='     sparse/vm.img     'fallocate -o 0 -l 64M sparse/vm.img; touch -h -r "$SRC/sparse/vm.img" sparse/vm.img'
mutate immutable      'flags='     flags/immutable   'chattr -i flags/immutable'
mutate append-only    'flags='     flags/append-only 'chattr -a flags/append-only'
mutate symlink-target 'target='    links/relative    'rm links/relative && ln -s ../files/text links/relative && touch -h -r "$SRC/links/relative" links/relative && touch -h -r "$SRC/links" links'
mutate device         'rdev='      special/loop200   'rm special/loop200 && mknod -m 0660 special/loop200 b 7 201 && touch -h -r "$SRC/special/loop200" special/loop200 && touch -h -r "$SRC/special" special'
mutate setuid         'mode='      modes/setuid      'chmod u-s modes/setuid'
mutate newline-name   'type='      'names/new\012line' 'mv "names/$(printf "new\nline")" "names/$(printf "new\rline")"; touch -h -r "$SRC/names" names'
say "$mutations changes, each seen"
