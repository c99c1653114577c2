#!/bin/bash
# tree-manifest.sh [--exclude RELPATH]... DIR
#
# Print a canonical, diff-able manifest of everything p2v must preserve in
# the tree DIR: one line per entry, sorted (C locale), paths relative to DIR
# ("." is DIR itself). Two trees with the same content give the same
# manifest wherever they live; any difference is a differing line.
#
#   PATH type=T mode=MMMM uid=U gid=G [size=N] mtime=S.NNNNNNNNN
#        [target=LINK] [rdev=MAJ:MIN] [sha256=H] [alloc=full|sparse]
#        [hl=FIRSTPATH] [flags=F] [acl=...] [dacl=...] [cap=HEX]
#        [x:NAME=HEX]...
#
#   PATH, LINK, FIRSTPATH: bytes outside '!'..'~' and the backslash are
#     written \ooo (octal), so newlines, tabs, spaces and invalid UTF-8 are
#     unambiguous and every entry is one line.
#   type   f regular, d dir, l symlink, c/b device, p FIFO, s socket.
#   mode   permission bits with setuid/setgid/sticky, 4 octal digits.
#   size   regular files and symlinks (directory sizes depend on the
#          filesystem's history, so they are left out).
#   mtime  seconds.nanoseconds (symlinks included).
#   alloc  regular files: "sparse" when allocated blocks * 512 < size.
#   hl     hard-link group: every name of an inode that has more than one
#          name inside DIR carries the smallest of those names (so the label
#          does not depend on inode numbers).
#   flags  inode flags as libarchive names them (schg = immutable,
#          sappnd = append-only, nodump, ...); filesystem-internal flags
#          (extents, indexed dirs) are not shown.
#   acl/dacl  POSIX access/default ACL decoded from system.posix_acl_*
#          (u::rwx,u:1000:rwx,g::r-x,m::rwx,o::r-x).
#   cap    security.capability, raw hex.
#   x:NAME every other xattr (user.*, trusted.*, security.* except
#          security.selinux), hex value (0x for an empty one).
#
# --exclude RELPATH (repeatable) drops RELPATH and everything below it
# (e.g. --exclude proc); the paths are relative to DIR, without "./".
#
# Tools: GNU find, bsdtar (libarchive-tools: sha256 and inode flags),
# getfattr (attr), mawk or gawk, sort. Run as root to see trusted.* xattrs.
set -euo pipefail

usage() { echo "usage: tree-manifest.sh [--exclude RELPATH]... DIR" >&2; exit 2; }
excludes=()
while [ $# -gt 0 ]; do
    case $1 in
        --exclude) [ $# -ge 2 ] || usage; excludes+=("${2%/}"); shift 2 ;;
        --exclude=*) excludes+=("${1#--exclude=}"); shift ;;
        --) shift; break ;;
        -*) usage ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || usage
DIR=$1
[ -d "$DIR" ] || { echo "tree-manifest: $DIR: not a directory" >&2; exit 2; }
for t in find bsdtar getfattr sort awk; do
    command -v "$t" >/dev/null 2>&1 || { echo "tree-manifest: missing tool '$t' (packages: findutils libarchive-tools attr)" >&2; exit 2; }
done
export LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tree-manifest.XXXXXX")
trap "${KEEP_TMP:+:} rm -rf \"\$tmp\"" EXIT
cd "$DIR"

# find's prune expression for the excludes.
prune=()
for e in "${excludes[@]+"${excludes[@]}"}"; do
    e=${e#./}
    prune+=(-path "./$e" -prune -o)
done

# 1. Every entry: type mode uid gid size mtime dev:ino nlink blocks path target.
find . "${prune[@]}" -printf '%y\0%m\0%U\0%G\0%s\0%T@\0%D:%i\0%n\0%b\0%P\0%l\0' >"$tmp/find"

# 2. Content checksums, inode flags and device numbers (bsdtar's mtree).
#    Sockets are not archived by bsdtar; find covers them.
bsdtar_ex=()
for e in "${excludes[@]+"${excludes[@]}"}"; do bsdtar_ex+=(--exclude "./${e#./}"); done
if ! bsdtar -cf - --format=mtree \
        --options 'mtree:sha256,flags,device,type,!nlink,!uname,!gname,!uid,!gid,!mode,!time,!size,!link' \
        "${bsdtar_ex[@]+"${bsdtar_ex[@]}"}" . >"$tmp/mtree" 2>"$tmp/mtree.err"; then
    # Warnings (sockets ignored) make bsdtar exit non-zero; real errors show.
    if grep -v -e 'socket ignored' -e '^bsdtar: Error exit delayed' "$tmp/mtree.err" | grep -q .; then
        cat "$tmp/mtree.err" >&2
        echo "tree-manifest: bsdtar failed" >&2
        exit 1
    fi
fi

# 3. Extended attributes (ACLs and capabilities are xattrs too).
getfattr -R -P -h -d -m - -e hex . >"$tmp/xattr" 2>"$tmp/xattr.err" || true
if grep -v -e 'Operation not supported' "$tmp/xattr.err" | grep -q .; then
    cat "$tmp/xattr.err" >&2
    echo "tree-manifest: getfattr reported errors" >&2
    exit 1
fi

AWK=awk
command -v gawk >/dev/null 2>&1 && AWK=gawk

# Shared awk helpers: esc() writes bytes outside '!'..'~' and '\' as \ooo;
# unesc() undoes \ooo and \\ escapes (getfattr's and bsdtar's).
helpers='
function init_tables(  i) {
    for (i = 1; i < 256; i++) { c = sprintf("%c", i); ORD[c] = i; OCT[sprintf("%03o", i)] = c }
}
function esc(s,  out, i, c, n) {
    if (s !~ /[^!-~]|\\/) return s
    out = ""; n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (c == "\\" || ORD[c] < 33 || ORD[c] > 126) out = out sprintf("\\%03o", ORD[c])
        else out = out c
    }
    return out
}
function unesc(s,  out, i, c, n) {
    if (index(s, "\\") == 0) return s
    out = ""; n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (c == "\\" && substr(s, i + 1, 1) == "\\") { out = out "\\"; i++ }
        else if (c == "\\" && substr(s, i + 1, 3) ~ /^[0-3][0-7][0-7]$/) { out = out OCT[substr(s, i + 1, 3)]; i += 3 }
        else out = out c
    }
    return out
}
function relname(s) {
    if (s == "." || s == "./") return "."
    sub(/^\.\//, "", s)
    return s
}
'

# mtree -> "ESCPATH<TAB>extra fields"
$AWK "$helpers"'
BEGIN { init_tables() }
/^#/ || NF == 0 { next }
{
    name = esc(relname(unesc($1))); extra = ""
    for (i = 2; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "sha256digest") extra = extra " sha256=" kv[2]
        else if (kv[1] == "flags") extra = extra " flags=" substr($i, 7)
        else if (kv[1] == "device") { n = split(kv[2], d, ","); if (n == 3) extra = extra " rdev=" d[2] ":" d[3]; else extra = extra " rdev=" kv[2] }
    }
    print name "\t" extra
}' "$tmp/mtree" >"$tmp/mtree.tsv"

# getfattr -> "ESCPATH<TAB> acl=.. dacl=.. cap=.. x:name=hex..."
$AWK "$helpers"'
function perms(p) { return (and4(p) ? "r" : "-") (and2(p) ? "w" : "-") (p % 2 ? "x" : "-") }
function and4(p) { return int(p / 4) % 2 }
function and2(p) { return int(p / 2) % 2 }
function hexbyte(h, i) { return HEX[substr(h, i, 1)] * 16 + HEX[substr(h, i + 1, 1)] }
function le(h, off, nbytes,  v, k) { v = 0; for (k = nbytes - 1; k >= 0; k--) v = v * 256 + hexbyte(h, off + 2 * k); return v }
function acltext(h,  out, off, tag, perm, id, t) {
    h = substr(h, 3)                       # drop 0x
    if (le(h, 1, 4) != 2) return "raw:" h
    out = ""
    for (off = 9; off + 15 <= length(h); off += 16) {
        tag = le(h, off, 2); perm = le(h, off + 4, 2); id = le(h, off + 8, 4)
        if (tag == 1) t = "u::"; else if (tag == 2) t = "u:" id ":"; else if (tag == 4) t = "g::"
        else if (tag == 8) t = "g:" id ":"; else if (tag == 16) t = "m::"; else if (tag == 32) t = "o::"
        else t = "tag" tag ":" id ":"
        out = out (out == "" ? "" : ",") t perms(perm)
    }
    return out
}
function flush(  i, j, t, line) {
    if (cur == "") return
    # sort the x: names (few per entry)
    for (i = 2; i <= nx; i++) { t = xs[i]; for (j = i - 1; j >= 1 && xs[j] > t; j--) xs[j + 1] = xs[j]; xs[j + 1] = t }
    line = acl
    for (i = 1; i <= nx; i++) line = line " " xs[i]
    if (line != "") print cur "\t" line
    cur = ""; acl = ""; nx = 0
}
BEGIN { init_tables(); for (i = 0; i < 10; i++) HEX[i ""] = i; HEX["a"] = 10; HEX["b"] = 11; HEX["c"] = 12; HEX["d"] = 13; HEX["e"] = 14; HEX["f"] = 15 }
/^# file: / { flush(); cur = esc(relname(unesc(substr($0, 9)))); next }
/^$/ { flush(); next }
{
    eq = index($0, "=")
    if (eq) { k = substr($0, 1, eq - 1); v = substr($0, eq + 1) } else { k = $0; v = "0x" }
    if (k == "security.selinux") next
    if (k == "system.posix_acl_access") acl = acl " acl=" acltext(v)
    else if (k == "system.posix_acl_default") acl = acl " dacl=" acltext(v)
    else if (k == "security.capability") acl = acl " cap=" v
    else xs[++nx] = "x:" esc(k) "=" v
}
END { flush() }' "$tmp/xattr" >"$tmp/xattr.tsv"

# Join: find records + mtree extras + xattrs; then hard-link groups.
$AWK -v MTF="$tmp/mtree.tsv" -v XAF="$tmp/xattr.tsv" "$helpers"'
BEGIN {
    init_tables()
    while ((getline line < MTF) > 0) { t = index(line, "\t"); MT[substr(line, 1, t - 1)] = substr(line, t + 1) }
    while ((getline line < XAF) > 0) { t = index(line, "\t"); XA[substr(line, 1, t - 1)] = substr(line, t + 1) }
    RS = "\0"
}
{
    f[++k] = $0
    if (k < 11) next
    k = 0
    type = f[1]; mode = f[2]; uid = f[3]; gid = f[4]; size = f[5]; mt = f[6]; ino = f[7]
    nlink = f[8]; blocks = f[9]; path = f[10]; target = f[11]
    name = (path == "") ? "." : esc(path)
    if (type == "D") type = "door"
    while (length(mode) < 4) mode = "0" mode
    # %T@ prints 10 fractional digits; keep nanoseconds.
    if (index(mt, ".")) { split(mt, tp, "."); mt = tp[1] "." substr(tp[2] "000000000", 1, 9) } else mt = mt ".000000000"
    out = name " type=" type " mode=" mode " uid=" uid " gid=" gid
    if (type == "f" || type == "l") out = out " size=" size
    out = out " mtime=" mt
    if (type == "l") out = out " target=" esc(target)
    extra = MT[name]
    if (type != "f") gsub(/ sha256=[0-9a-f]+/, "", extra)
    out = out extra
    if (type == "f") out = out " alloc=" ((blocks * 512 < size) ? "sparse" : "full")
    if (name in XA) out = out XA[name]
    # Hard-link key, resolved after sorting (non-directories with nlink > 1).
    print out "\t" ((type != "d" && nlink > 1) ? ino : "-")
}' "$tmp/find" | sort >"$tmp/lines"

$AWK '
BEGIN { FS = "\t" }
NR == FNR { if ($2 != "-") { n[$2]++; if (!($2 in first)) { split($1, p, " "); first[$2] = p[1] } } next }
{
    if ($2 != "-" && n[$2] > 1) print $1 " hl=" first[$2]
    else print $1
}' "$tmp/lines" "$tmp/lines"
