#!/bin/bash
# dryrun.sh: the acceptance test of the dry run. A simulated physical
# server (tests/hosts/source-up.sh: debootstrapped Debian booted by
# systemd-nspawn in its own network namespace, configuring its own
# addresses from /etc/network/interfaces, ext4 and xfs partitions on loop
# devices, a raw loop device, SELinux configured enforcing, a licence file
# naming eth0's MAC, user xattrs, ACLs and file capabilities), reached over
# real ssh from the node namespace. Every restriction id must be reported
# with the right details, and nothing may change on either side.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq ssh
need_agent
P2VMIGRATE=$P2V_BUILD_DIR/bin/p2vmigrate

source_up dryrun
quota_fixtures=$P2V_SOURCE_DIR/tests/fixtures/quota

# Real quota files (made by quota-tools under qemu: this kernel cannot
# enforce quotas) at the root of the ext4 filesystem, so the agent reports
# them raw and the node parses them. (Several candidates are covered by
# the unit tests: nspawn's / is a subtree, not a filesystem root.)
src_scp "$quota_fixtures/vfsv1/aquota.user" /srv/data/aquota.user
src_scp "$quota_fixtures/vfsv1/aquota.group" /srv/data/aquota.group

node_config "$TEST_TMP/p2v.conf" "$TEST_TMP/vz"
export P2V_CONFIG=$TEST_TMP/p2v.conf

# What "nothing changed" means on the source: every file's type, mode,
# owner, size and mtime, except what the running system itself writes
# (logs, runtime state, sshd's login records).
manifest() {
    src_ssh 'find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
        -o -path /var/log -o -path /var/lib/systemd -o -path /var/tmp -o -path /var/cache \) -prune \
        -o -printf "%y %m %U %G %s %T@ %p\n" | sort; \
        for m in /srv/data /srv/xfs; do find $m -xdev -printf "%y %m %U %G %s %T@ %p\n" | sort; done'
}
manifest >"$TEST_TMP/before"

dry() {   # dry ARGS...: run the dry run in the node namespace, keep the exit code
    local rc=0
    node_run "$P2VMIGRATE" --dry-run -e "$RSH" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
    echo "$rc"
}

say "dry run (JSON) over ssh"
rc=$(dry --json "root@$SRC_IP" 101)
cp "$TEST_TMP/out" "$TEST_TMP/report.json"
[ "$rc" = 0 ] || { cat "$TEST_TMP/err"; fail "dry run exit $rc, want 0 (possible)"; }
R=$TEST_TMP/report.json
assert_json '.host == "root@198.51.100.10" and .ctid == "101" and .possible == true' "$R"
r() { echo ".restrictions[] | select(.id == \"$1\")"; }

# filesystems-merged: /, /srv/data (ext4), /srv/xfs merged; pseudo left out
assert_json "[$(r filesystems-merged) | .paths] | .[0] as \$p | (\$p | index(\"/\")) != null and (\$p | index(\"/srv/data\")) != null and (\$p | index(\"/srv/xfs\")) != null and (\$p | index(\"/proc\")) == null" "$R"
assert_json "$(r filesystems-merged) | .details | any(test(\"merged: /srv/data \\\\(ext4 on $SRC_LOOP_EXT4, UUID $SRC_UUID_EXT4\"))" "$R"
assert_json "$(r filesystems-merged) | .details | any(test(\"merged: /srv/xfs \\\\(xfs on $SRC_LOOP_XFS\"))" "$R"
assert_json "$(r filesystems-merged) | .details | any(test(\"left out \\\\(pseudo.*/proc \\\\(proc\\\\)\"))" "$R"

# ips-to-venet0: three IPv4 and one IPv6, each from its interface
assert_json "$(r ips-to-venet0) | .paths | sort == [\"198.51.100.10/24\",\"198.51.100.11/24\",\"2001:db8:10::10/64\",\"203.0.113.10/24\"]" "$R"
assert_json "$(r ips-to-venet0) | .details | (index(\"198.51.100.11/24 from eth0 -> venet0\") != null) and (index(\"203.0.113.10/24 from eth1 -> venet0\") != null) and (index(\"2001:db8:10::10/64 from eth0 -> venet0\") != null)" "$R"
assert_json "$(r ips-to-venet0) | .message | test(\"3 IPv4 and 1 IPv6\")" "$R"

# selinux: configured enforcing (no SELinux in this kernel at runtime)
assert_json "$(r selinux) | .severity == \"warning\" and (.message | test(\"configured enforcing\")) and (.paths == [\"/etc/selinux/config\"])" "$R"

# xattrs: user.*, ACLs and capabilities found, with sample paths, kept
assert_json "$(r xattrs) | .details | any(test(\"^user: [0-9]+ files, kept\"))" "$R"
assert_json "$(r xattrs) | .details | any(test(\"^system.posix_acl_access: [0-9]+ files, kept\"))" "$R"
assert_json "$(r xattrs) | .details | any(test(\"^security.capability: [0-9]+ files, kept\"))" "$R"
assert_json "$(r xattrs) | .paths | any(startswith(\"/srv/data/\"))" "$R"

# raw-devices: the raw loop device, and only it
assert_json "$(r raw-devices) | .severity == \"warning\" and .paths == [\"$SRC_LOOP_RAW\"]" "$R"

# mac-bound: both MACs, and the licence file that names eth0's
assert_json "$(r mac-bound) | .severity == \"warning\" and (.paths | index(\"/opt/licence/app.lic\")) != null" "$R"
assert_json "$(r mac-bound) | .details | (index(\"eth0 has MAC $SRC_MAC_ETH0\") != null) and (index(\"eth1 has MAC $SRC_MAC_ETH1\") != null) and any(test(\"/opt/licence/app.lic mentions $SRC_MAC_ETH0 \\\\(eth0\\\\)\"))" "$R"

# quota-partition: the one filesystem with quotas is chosen by itself
assert_json "$(r quota-partition) | .severity == \"info\" and .paths == [\"/srv/data\"] and (.message | test(\"limits of /srv/data will apply to the whole container\"))" "$R"
assert_json "$(r quota-partition) | .details | any(test(\"/srv/data: user quota, vfsv1, file /srv/data/aquota.user, 4 ids with limits: kept\")) and any(test(\"/srv/data: group quota, vfsv1, file /srv/data/aquota.group, 3 ids with limits: kept\"))" "$R"
assert_json '[.inventory.quotas[] | select(.mountpoint == "/srv/data")] | length == 2' "$R"

# destination-space: this node has room; the inventory names the source
assert_json "$(r destination-space) | .severity == \"info\"" "$R"
assert_json '.inventory.hostname == "'"$SRC_HOSTNAME"'" and .inventory.os.ostemplate == "debian-12-x86_64" and .inventory.os.family == "debian"' "$R"
assert_json '[.restrictions[].id] | (index("arch-mismatch") == null) and (index("kernel-too-old") == null) and (index("ctid-exists") == null)' "$R"
assert_json '.inventory.selinux.config == "enforcing"' "$R"
assert_json '.inventory.dns.nameservers == ["198.51.100.53"] and .inventory.dns.search == ["example.test"]' "$R"
assert_json '[.inventory.fstab[].target] | index("/srv/data") != null and index("/srv/xfs") != null' "$R"
assert_json '.inventory.network_config_files | index("/etc/network/interfaces") != null' "$R"

say "dry run with --quota-partition /srv/xfs (text): /srv/data's quotas are dropped"
rc=$(dry --quota-partition /srv/xfs "root@$SRC_IP" 101)
[ "$rc" = 0 ] || { cat "$TEST_TMP/err"; fail "text dry run exit $rc"; }
out=$(cat "$TEST_TMP/out")
assert_contains "$out" "Dry run: root@198.51.100.10 -> container 101 (nothing was changed)"
assert_contains "$out" "[warning] selinux:"
assert_contains "$out" "[warning] raw-devices:"
assert_contains "$out" "198.51.100.10/24 from eth0 -> venet0"
assert_contains "$out" "Result: migration possible"
assert_contains "$out" "[warning] quota-partition: /srv/xfs carries no quotas"
assert_contains "$out" "/srv/data: user quota, vfsv1, file /srv/data/aquota.user, 4 ids with limits: dropped, files copied without limits"

say "a CTID that exists blocks (exit 2)"
mkdir -p "$TEST_TMP/vz/conf"
echo 'VE_LAYOUT="simfs"' >"$TEST_TMP/vz/conf/101.conf"
rc=$(dry --json --no-scan "root@$SRC_IP" 101)
assert_eq 2 "$rc" "existing CTID exit code"
assert_json "$(r ctid-exists) | .severity == \"blocker\"" "$TEST_TMP/out"
assert_json '.possible == false' "$TEST_TMP/out"
rm -rf "$TEST_TMP/vz"

say "a partial copy of the same source is resumable, not a blocker"
mkdir -p "$TEST_TMP/vz/private/101/etc" "$TEST_TMP/vz/state"
echo x >"$TEST_TMP/vz/private/101/etc/hostname"
echo "SOURCE=root@$SRC_IP" >"$TEST_TMP/vz/state/101.source"
rc=$(dry --json --no-scan "root@$SRC_IP" 101)
assert_eq 0 "$rc" "resumable partial copy exit code"
assert_json "$(r ctid-exists) | .severity == \"info\" and (.message | test(\"rerun resumes\"))" "$TEST_TMP/out"
rm -rf "$TEST_TMP/vz"

say "no room on the node blocks (exit 2)"
mkdir -p "$TEST_TMP/small"
mount -t tmpfs -o size=1m p2v-test-small "$TEST_TMP/small"
on_cleanup "umount '$TEST_TMP/small'"
node_config "$TEST_TMP/small.conf" "$TEST_TMP/small"
rc=0
P2V_CONFIG=$TEST_TMP/small.conf node_run "$P2VMIGRATE" --dry-run --json --no-scan -e "$RSH" "root@$SRC_IP" 102 \
    >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
assert_eq 2 "$rc" "no room exit code"
assert_json "$(r destination-space) | .severity == \"blocker\" and (.message | test(\"lacks room\"))" "$TEST_TMP/out"

say "--agent PATH runs an installed agent"
src_scp "$P2V_AGENT" /run/p2v-installed-agent
rc=$(dry --json --no-scan --agent /run/p2v-installed-agent "root@$SRC_IP" 101)
assert_eq 0 "$rc" "--agent exit code"
src_ssh 'test -x /run/p2v-installed-agent && rm /run/p2v-installed-agent' || fail "--agent must not remove an installed agent"

say "clear errors: refused, unreachable, unauthorised, no room to upload, bad partition"
err_case() {   # err_case NEEDLE ARGS...
    local needle=$1 rc=0
    shift
    node_run timeout 60 "$P2VMIGRATE" --dry-run --no-scan "$@" >/dev/null 2>"$TEST_TMP/err" || rc=$?
    assert_eq 1 "$rc" "exit code for: $needle"
    assert_contains "$(cat "$TEST_TMP/err")" "$needle"
    assert_eq 1 "$(grep -c 'error:' "$TEST_TMP/err")" "one error line for: $needle"
}
err_case "Connection refused" -e "$RSH -p 2" "root@$SRC_IP" 101
err_case "cannot reach root@198.51.100.99: ssh: connect to host 198.51.100.99 port 22: Connection timed out" -e "$RSH -o ConnectTimeout=3" root@198.51.100.99 101
ssh-keygen -q -t ed25519 -N '' -f "$TEST_TMP/stranger"
err_case "Permission denied" -e "ssh -i $TEST_TMP/stranger -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null" "root@$SRC_IP" 101
src_ssh 'mkdir -p /run/p2vfull && mount -t tmpfs -o size=64k p2vfull /run/p2vfull'
err_case "cannot upload the agent to root@$SRC_IP" -e "$RSH" --remote-tmpdir /run/p2vfull "root@$SRC_IP" 101
src_ssh 'umount /run/p2vfull && rmdir /run/p2vfull'
err_case "--quota-partition /nope is not a local filesystem" -e "$RSH" --quota-partition /nope "root@$SRC_IP" 101

say "nothing changed: no agent left on the source, no file changed, nothing on the node"
left=$(src_ssh 'ls -d /tmp/p2v-agent.* /var/tmp/p2v-agent.* /dev/shm/p2v-agent.* /run/p2vfull/p2v-agent.* 2>/dev/null || true')
assert_eq "" "$left" "uploaded agent directories left on the source"
manifest >"$TEST_TMP/after"
diff -u "$TEST_TMP/before" "$TEST_TMP/after" >"$TEST_TMP/manifest.diff" ||
    fail "the source changed: $(head -20 "$TEST_TMP/manifest.diff")"
[ ! -e "$TEST_TMP/vz" ] || fail "the dry run created $TEST_TMP/vz on the node"
