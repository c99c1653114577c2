#!/bin/bash
# p2vcheck: every mode and exit code (vzcptcheck's contract), and the
# container check against private areas built in a temporary tree, with
# symlinks that point outside to prove resolution stays inside.
# Needs no root. Env: P2V_BUILD_DIR (binaries in $P2V_BUILD_DIR/bin),
# P2V_SOURCE_DIR.
set -u

BIN=${P2V_BUILD_DIR:?P2V_BUILD_DIR not set}/bin/p2vcheck
SRC=${P2V_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -x "$BIN" ] || { echo "Bail out! $BIN not built"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/p2vcheck.XXXXXX")
trap 'rm -rf "$T"' EXIT
unset P2V_CONFIG P2V_DEBUG P2V_TEST_NO_OPENAT2

n=0
failed=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/#   /' "$T/err" "$T/out" 2>/dev/null; }

# expect RC "description" [ARG...]: run p2vcheck, check its exit code.
expect() {
    local want=$1 what=$2
    shift 2
    timeout 60 "$BIN" "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" = "$want" ]; then pass "$what (exit $rc)"; else fail "$what: exit $rc, want $want"; fi
}
# says PATTERN "description": the last run's stderr matches.
says() {
    if grep -qE -- "$1" "$T/err"; then pass "$2"; else fail "$2: stderr lacks /$1/"; fi
}
# one_line "description": the last run's stderr is one error line (plus a hint).
one_line() {
    if [ "$(grep -vc ': hint: ' "$T/err")" = 1 ]; then pass "$1"; else fail "$1: not one line"; fi
}

# ---- help, usage ------------------------------------------------------
expect 0 "no arguments prints usage"
grep -q '^Usage: p2vcheck' "$T/out" && pass "usage on stdout" || fail "usage on stdout"
expect 0 "help" help
grep -q 'caps \[\[CTID\] CAPNUM\]' "$T/out" && pass "help names caps' forms" || fail "help names caps' forms"
expect 1 "unknown property" frobnicate
says "unknown property .frobnicate." "unknown property is named"
one_line "unknown property: one line"

# ---- version -----------------------------------------------------------
expect 0 "version" version
V=$(cat "$T/out")
WANT=$(sed -n 's/^#define P2V_PROTO_VERSION \([0-9]*\)u*$/\1/p' "$SRC/p2v/proto.h")
MIN=$(sed -n 's/^#define P2V_PROTO_MIN \([0-9]*\)u*$/\1/p' "$SRC/p2v/proto.h")
[ "$V" = "$WANT" ] && pass "version prints P2V_PROTO_VERSION ($V)" || fail "version printed '$V', want '$WANT'"
expect 0 "version $V accepted" version "$V"
expect 0 "version $MIN (the oldest spoken) accepted" version "$MIN"
expect 2 "version $((V + 1)) rejected" version $((V + 1))
says "protocol version $((V + 1)) rejected: this side speaks $MIN\\.\\.$V" "rejection names both ranges"
expect 2 "version 0 rejected" version 0
expect 1 "garbage version" version 1x
says "invalid protocol version .1x." "garbage version is named"
expect 1 "negative version" version -1
expect 1 "huge version" version 99999999999999999999999
expect 1 "version with two arguments" version 1 2

# ---- caps: this node ----------------------------------------------------
expect 0 "caps" caps
CAPS=$(cat "$T/out")
case $CAPS in
    '' | *[!0-9]*) fail "caps printed '$CAPS'" ;;
    *) pass "caps is a decimal number ($CAPS)" ;;
esac
ARCH=$((CAPS >> 56))
FEAT=$((CAPS & ((1 << 56) - 1)))
[ "$ARCH" != 0 ] && pass "caps carries an arch byte ($ARCH)" || fail "caps has no arch byte"
expect 0 "caps with this node's own number" caps "$CAPS"
expect 0 "caps with an old vzcptcheck-style number (no arch byte)" caps "$FEAT"

if [ "$ARCH" = 1 ]; then
    lacking=$((CAPS & ~(1 << 3)))   # x86_64 always has sse2
    name=sse2
else
    low=$((FEAT & -FEAT))
    lacking=$((CAPS & ~low))
    name='[a-z0-9_]+'
fi
expect 2 "caps with a number lacking a feature" caps "$lacking"
says "Insufficient CPU capabilities: missing $name" "message names the missing feature"
other=$(( (ARCH == 3 ? 1 : 3) << 56 | FEAT ))
expect 2 "caps with a number of another arch" caps "$other"
says "Insufficient CPU capabilities: .* software cannot run on (aarch64|x86_64)" "message names the arches"
expect 1 "garbage caps number" caps 12abc
says "invalid capability number .12abc." "garbage number is named"
expect 1 "caps number past 2^64" caps 18446744073709551616
expect 1 "caps with three arguments" caps 1 2 3

# ---- caps CTID CAPNUM ----------------------------------------------------
mkdir -p "$T/conf" "$T/private"
cat >"$T/p2v.conf" <<EOF
# test node config
VE_PRIVATE="$T/private/\$VEID"
VZ_CONF_DIR=$T/conf
EOF
export P2V_CONFIG=$T/p2v.conf

# A 52-byte ELF32 little-endian i386 header: enough for the check.
elf_i386() {
    { printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000'
      printf '\002\000\003\000\001\000\000\000'
      head -c 28 /dev/zero; } >"$1"
}
HOSTSH=$(readlink -f /bin/sh)   # e.g. /usr/bin/dash: a host ELF of the host's arch

# 101: a copy of the host's shell: same arch as the node.
mkdir -p "$T/private/101/bin"
cp -L /bin/sh "$T/private/101/bin/sh"
: >"$T/conf/101.conf"
# 102: /bin/sh -> the host shell's absolute path, which inside is i386.
mkdir -p "$T/private/102/bin" "$T/private/102$(dirname "$HOSTSH")"
elf_i386 "$T/private/102$HOSTSH"
ln -s "$HOSTSH" "$T/private/102/bin/sh"
# 103: a relative link climbing far above the root, then the same path.
mkdir -p "$T/private/103/bin" "$T/private/103$(dirname "$HOSTSH")"
elf_i386 "$T/private/103$HOSTSH"
ln -s "../../../../../../../../..$HOSTSH" "$T/private/103/bin/sh"
# 104: a config, no private area.
: >"$T/conf/104.conf"
# 105: no ELF at all: a script shell and a symlink loop for init.
mkdir -p "$T/private/105/bin" "$T/private/105/sbin"
printf '#!/bin/busybox\n' >"$T/private/105/bin/sh"
ln -s init "$T/private/105/sbin/init"
# 106: /bin itself is an absolute symlink to the host's /bin (merged-usr
# style link); inside it leads to the container's own usr/bin.
mkdir -p "$T/private/106/usr/bin"
ln -s /usr/bin "$T/private/106/bin"
elf_i386 "$T/private/106/usr/bin/sh"

# 107: /bin/sh is a FIFO (reading it would block): skipped for /sbin/init.
mkdir -p "$T/private/107/bin" "$T/private/107/sbin"
mkfifo "$T/private/107/bin/sh"
elf_i386 "$T/private/107/sbin/init"

I386=$(( 2 << 56 | (FEAT & ~(1 << 8 | 1 << 11 | 1 << 12)) ))

for mode in openat2 walk; do
    if [ $mode = walk ]; then export P2V_TEST_NO_OPENAT2=1; else unset P2V_TEST_NO_OPENAT2; fi
    expect 0 "[$mode] container 101 (host shell) on this node's number" caps 101 "$CAPS"
    expect 2 "[$mode] container 101 on another arch" caps 101 "$other"
    says "software cannot run on" "[$mode] message names the arch"
    expect 2 "[$mode] container 101 on a node lacking a feature" caps 101 "$lacking"
    if [ "$ARCH" = 1 ]; then
        expect 0 "[$mode] container 102 (absolute link, i386 inside) on an i386 node" caps 102 "$I386"
        expect 0 "[$mode] container 102 on this x86_64 node" caps 102 "$CAPS"
        expect 0 "[$mode] container 103 (relative link above root) on an i386 node" caps 103 "$I386"
        expect 0 "[$mode] container 106 (/bin -> /usr/bin) on an i386 node" caps 106 "$I386"
        expect 0 "[$mode] container 107 (FIFO /bin/sh skipped, i386 init)" caps 107 "$I386"
        expect 2 "[$mode] container 101 (x86_64) on an i386 node" caps 101 "$I386"
        says "x86_64 software cannot run on i386" "[$mode] 64-bit on 32-bit is named"
    fi
    expect 1 "[$mode] container 104 has a config but no private area" caps 104 "$CAPS"
    says "container 104: cannot open its private area" "[$mode] message names the private area"
    expect 1 "[$mode] container 105 has no ELF userland" caps 105 "$CAPS"
    says "cannot tell the architecture of .*105" "[$mode] message says why"
    one_line "[$mode] one error line"
done
unset P2V_TEST_NO_OPENAT2

expect 1 "missing container" caps 999 "$CAPS"
says "container 999 does not exist on this node" "missing container is named"
says "hint: .*VE_PRIVATE" "hint names the config keys"
one_line "missing container: one line"
expect 1 "invalid CTID" caps 0x65 "$CAPS"
says "invalid CTID .0x65." "invalid CTID is named"
expect 1 "CTID with a leading zero" caps 0101 "$CAPS"
expect 1 "CTID with a garbage number" caps 101 abc
P2V_CONFIG=$T/missing.conf expect 1 "config named by P2V_CONFIG missing" caps 101 "$CAPS"
says "missing\\.conf" "config error names the file"

echo "1..$n"
[ "$failed" = 0 ] || { echo "# $failed of $n checks failed"; exit 1; }
