#!/bin/bash
# quota-firstboot.sh: the quotas of --quota-partition are in force inside
# the container after its first start (#4, seed 003).
#
# The node half: the conversion (tests/tools/convert-facts, the same
# convert_run as p2vmigrate) of a source whose /home has user and group
# limits (tests/fixtures/facts/centos6-quota.json; quota-qemu.sh shows the
# agent reports real limits in that form) writes CTID.conf's QUOTAUGIDLIMIT
# and the first-boot step. The container half needs a kernel with the
# quota formats, so it runs under Debian's own kernel in qemu
# (quota-firstboot.guest.sh): the private area, on a quota-enabled ext4,
# runs its /etc/p2v/p2v-firstboot, and repquota must then show the source's
# limits.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd mkfs.ext4 qemu-system-x86_64 busybox cpio
P2V_FIXTURES=$P2V_SOURCE_DIR/tests/fixtures
rm -rf "$TEST_TMP"
mkdir -p "$TEST_TMP"
VZ=$TEST_TMP/vz
node_config "$TEST_TMP/p2v.conf" "$VZ"
PRIV=$VZ/private/900
mkdir -p "$PRIV"

say "converting with --quota-partition /home"
"$P2V_BUILD_DIR/bin/convert-facts" "$P2V_FIXTURES/facts/centos6-quota.json" "$TEST_TMP/p2v.conf" 900 /home \
    >"$TEST_TMP/convert.out" 2>&1 || fail "conversion failed: $(cat "$TEST_TMP/convert.out")"
grep -q 'QUOTAUGIDLIMIT="2000"' "$VZ/conf/900.conf" || fail "no QUOTAUGIDLIMIT in CTID.conf"
grep -q "1 user limits of /home carried" "$TEST_TMP/convert.out" || fail "the report does not say the limits were carried"
grep -q "quotas of /srv .*not carried" "$TEST_TMP/convert.out" || fail "the report does not name /srv's quotas"
[ -x "$PRIV/etc/p2v/p2v-firstboot" ] || fail "no first-boot step in the private area"

say "first start of the container under a kernel with quotas (qemu)"
truncate -s 64M "$TEST_TMP/ct.img"
mkfs.ext4 -q -F -d "$PRIV" "$TEST_TMP/ct.img"
"$P2V_SOURCE_DIR/tests/hosts/qemu/run-guest.sh" -d "$TEST_TMP/ct.img" -o "$TEST_TMP/out" -t 240 \
    "$P2V_SOURCE_DIR/tests/integration/quota-firstboot.guest.sh" || fail "the guest failed"
cat "$TEST_TMP/out/p2v-firstboot.log" 2>/dev/null || true
[ -e "$TEST_TMP/out/done" ] || fail "p2v-firstboot did not finish: $(cat "$TEST_TMP/out/p2v-firstboot.log" 2>/dev/null)"
rep=$TEST_TMP/out/repquota
cat "$rep"
limits() {   # limits '#ID': "bsoft bhard isoft ihard" from repquota -n
    awk -v id="$1" '$1 == id { print $4, $5, $7, $8; exit }' "$rep"
}
assert_eq "1000 2000 10 20" "$(limits '#1001')" "user 1001's limits in force"
assert_eq "3000 4000 30 40" "$(limits '#100')" "group 100's limits in force"
say "PASS"
