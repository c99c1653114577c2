#!/bin/bash
# convert-lxc.sh: the acceptance test of the conversion (#4). Over real ssh
# from the node namespace, p2vmigrate moves a booted Debian server (two
# NICs, three IPv4 and one IPv6 address from its own ifupdown config, a
# user with a password, sshd) into container $CT with RUNTIME=lxc. The
# server is then stopped and `lxc-start -P LXC_PATH -n CT` boots the
# container in the node namespace. It must reach `running` (a failed unit
# fails the test and is listed), carry every address on venet0, answer ssh
# on each address from the node, and keep the source's hostname and the
# user's password. The hooks p2v.convert (exit 3, 0, 128) and
# p2v.configure (run at the first start) behave as seed 002 says. CTID.conf
# must pass a parser that follows vzctl's rules, and a further pass over
# the converted tree must send almost nothing for an idle server.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq ssh lxc-start lxc-attach lxc-stop nsenter
need_agent
P2VMIGRATE=$P2V_BUILD_DIR/bin/p2vmigrate
CT=4711

source_up convert
VZ=$TEST_TMP/vz
LXC=$VZ/lxc
PRIV=$VZ/private/$CT
node_config "$TEST_TMP/p2v.conf" "$VZ"
printf 'RUNTIME=lxc\nLXC_PATH=%s\n' "$LXC" >>"$TEST_TMP/p2v.conf"
export P2V_CONFIG=$TEST_TMP/p2v.conf

on_cleanup "ct_stop '$LXC' $CT"

# what the server is, before it stops
HOSTNAME_SRC=$(src_ssh hostname)
ALICE_HASH=$(src_ssh "getent shadow alice | cut -d: -f2")
[ -n "$ALICE_HASH" ] || fail "the server has no password for alice"
ADDRS="$SRC_IP $SRC_IP2 $SRC_IP3 $SRC_IP6"

# The administrator's hooks (seed 002's pattern), in VZ_CONF_DIR.
mkdir -p "$VZ/conf"
HOOK=$VZ/conf/p2v.convert
hook() {   # hook EXIT: p2v.convert records its arguments and exits EXIT
    printf '#!/bin/sh\necho "$@ VEID=$VEID" >"%s"\nexit %s\n' "$TEST_TMP/hook.args" "$1" >"$HOOK"
    chmod +x "$HOOK"
}
cat >"$VZ/conf/p2v.configure" <<'EOF'
#!/bin/sh
# runs inside the container at its first start
echo "configured in $(hostname)" >/root/p2v-configured
exit 128
EOF
pass() {   # pass NAME: p2vmigrate in the node namespace, output in $TEST_TMP/NAME; prints the exit
    local rc=0
    node_run "$P2VMIGRATE" --force -e "$RSH" "root@$SRC_IP" "$CT" >"$TEST_TMP/$1" 2>&1 || rc=$?
    echo $rc
}

say "p2v.convert failing (exit 3): the conversion fails, naming it"
hook 3
rc=$(pass out-fail)
[ "$rc" = 1 ] || fail "a failing p2v.convert gave exit $rc: $(tail "$TEST_TMP/out-fail")"
grep -qF "the hook \`$HOOK\` failed with exit 3" "$TEST_TMP/out-fail" ||
    fail "the failing hook is not named: $(tail -5 "$TEST_TMP/out-fail")"
[ ! -e "$VZ/conf/$CT.conf" ] || fail "CTID.conf written although the conversion failed"
assert_eq "--veid $CT --ve_private $PRIV VEID=$CT" "$(cat "$TEST_TMP/hook.args")" "p2v.convert arguments"

say "p2v.convert exit 0: it converted, the built-in fixups are skipped"
hook 0
rc=$(pass out-zero)
[ "$rc" = 0 ] || fail "p2v.convert exit 0: p2vmigrate exit $rc: $(tail "$TEST_TMP/out-zero")"
grep -q "the built-in fixups are skipped" "$TEST_TMP/out-zero" || fail "exit 0 not reported"
[ ! -e "$PRIV/etc/network/interfaces.migsave" ] || fail "fixups ran although p2v.convert said it converted"
[ -f "$VZ/conf/$CT.conf" ] || fail "no CTID.conf after p2v.convert exit 0"

say "p2v.convert exit 128: the default conversion"
hook 128
rc=$(pass out)
[ "$rc" = 0 ] || fail "p2vmigrate failed: $(tail -30 "$TEST_TMP/out")"
sed -n '/converting /,$p' "$TEST_TMP/out"   # the change list, for the log
grep -q "asked for the default conversion" "$TEST_TMP/out" || fail "exit 128 not reported"
grep -q "to finish the migration" "$TEST_TMP/out" || fail "no finishing instructions: $(tail "$TEST_TMP/out")"
grep -q "lxc-start -P $LXC -n $CT" "$TEST_TMP/out" || fail "the start command is not named"
grep -q "done ips-to-venet0: 3 IPv4 and 1 IPv6" "$TEST_TMP/out" ||
    fail "the report does not say what was done with the addresses: $(grep -i venet "$TEST_TMP/out")"
[ -x "$PRIV/etc/p2v/p2v.configure" ] || fail "p2v.configure not installed in the container"

say "CTID.conf by vzctl's rules and by the shell"
CONF=$VZ/conf/$CT.conf
[ -f "$CONF" ] || fail "no $CONF"
"$P2V_BUILD_DIR/bin/ctconf-check" "$CONF" >"$TEST_TMP/conf.check" ||
    fail "CTID.conf does not parse by vzctl's rules: $(cat "$TEST_TMP/conf.check")"
conf() { sh -c ". '$CONF' && printf %s \"\$$1\""; }
assert_eq "simfs" "$(conf VE_LAYOUT)" "VE_LAYOUT"
assert_eq "$PRIV" "$(conf VE_PRIVATE)" "VE_PRIVATE"
assert_eq "debian-12-x86_64" "$(conf OSTEMPLATE)" "OSTEMPLATE"
assert_eq "$HOSTNAME_SRC" "$(conf HOSTNAME)" "HOSTNAME"
for a in $ADDRS; do
    case " $(conf IP_ADDRESS) " in *" $a "*) ;; *) fail "IP_ADDRESS lacks $a: $(conf IP_ADDRESS)";; esac
done
[ -n "$(conf PHYSPAGES)" ] && [ -n "$(conf DISKSPACE)" ] || fail "limits missing from CTID.conf"
grep -q '^# p2v: migrated from root@' "$CONF" || fail "CTID.conf does not say where it came from"

say "a second pass over the converted tree sends nothing for an idle server"
node_run "$P2VMIGRATE" --json --force -e "$RSH" "root@$SRC_IP" "$CT" >"$TEST_TMP/out2" 2>"$TEST_TMP/err2" ||
    fail "second pass failed: $(tail -20 "$TEST_TMP/err2")"
grep '"event":"result"' "$TEST_TMP/out2" >"$TEST_TMP/result2"
copied=$(jq -r .files_copied "$TEST_TMP/result2")
assert_json '.conversion.status == "done" and .conversion.runtime == "lxc" and .conversion.changes > 5
    and .conversion.started == false
    and any(.conversion.report[]; .id == "ips-to-venet0" and .severity == "info")' "$TEST_TMP/result2"
# the journal and a few logs of the running server change between passes
say "second pass: $copied files copied"
[ "$copied" -le 12 ] || fail "the second pass copied $copied files: $(grep -i 'sent\|copied' "$TEST_TMP/err2" | head)"
[ -f "$PRIV/etc/network/interfaces.migsave" ] || fail "the conversion did not run again after the sync"

say "a final pass with --start starts the container itself"
# (nsenter, not ip netns exec: lxc-start needs the host's /sys for cgroups)
in_node "$P2VMIGRATE" --json --force --start -e "$RSH" "root@$SRC_IP" "$CT" >"$TEST_TMP/out3" 2>"$TEST_TMP/err3" ||
    fail "the --start pass failed: $(tail -20 "$TEST_TMP/err3")"
assert_json '.conversion.started == true' <(grep '"event":"result"' "$TEST_TMP/out3")
grep -q "starting the container: lxc-start -P $LXC -n $CT" "$TEST_TMP/err3" || fail "--start did not say what it ran"
state=$(ct_wait "$LXC" "$CT")
[ "$state" = running ] || fail "after --start the container is '$state'"
grep -q '^ONBOOT="yes"' "$CONF" || fail "--start did not set ONBOOT"
in_node lxc-stop -P "$LXC" -n "$CT" -t 30 || fail "lxc-stop after --start failed"

say "stopping the server"
src_stop

say "lxc-start -P $LXC -n $CT"
in_node lxc-start -P "$LXC" -n "$CT" -l WARN -o "$TEST_TMP/lxc.log" ||
    fail "lxc-start failed: $(tail -20 "$TEST_TMP/lxc.log")"
state=$(ct_wait "$LXC" "$CT")
failed=$(ct_run "$LXC" "$CT" systemctl --failed --no-legend --plain 2>/dev/null || true)
say "systemd inside: $state${failed:+; failed: $failed}"
[ "$state" = running ] || fail "the container is '$state', not running; failed units: ${failed:-none}"

say "venet0 carries every address"
have=$(ct_run "$LXC" "$CT" ip -o addr show dev venet0)
for a in $ADDRS; do
    grep -q "inet6\? $a/" <<<"$have" || fail "venet0 lacks $a: $have"
done
ct_run "$LXC" "$CT" ip route show | grep -q '^default dev venet0' || fail "no IPv4 default route dev venet0"
ct_run "$LXC" "$CT" ip -6 route show | grep -q '^default dev venet0' || fail "no IPv6 default route dev venet0"

say "sshd inside answers on each address"
for a in $ADDRS; do
    got=$(node_run ssh $SSH_OPTS "root@$a" hostname 2>"$TEST_TMP/ssh.err") ||
        fail "ssh to $a failed: $(cat "$TEST_TMP/ssh.err")"
    assert_eq "$HOSTNAME_SRC" "$got" "hostname over ssh to $a"
done

say "the first start ran p2v.configure"
assert_eq "configured in $HOSTNAME_SRC" "$(ct_run "$LXC" "$CT" cat /root/p2v-configured)" "p2v.configure's mark"
ct_run "$LXC" "$CT" test -e /etc/p2v/firstboot.done || fail "p2v-firstboot did not finish"

say "the user's password is the source's"
assert_eq "$ALICE_HASH" "$(ct_run "$LXC" "$CT" getent shadow alice | cut -d: -f2)" "alice's password hash"
# and it still verifies (libcrypt inside the container, the source's algorithm)
ok=$(ct_run "$LXC" "$CT" perl -e 'print crypt($ARGV[0], $ARGV[1]) eq $ARGV[1] ? "yes" : "no"' "$ALICE_PASSWORD" "$ALICE_HASH")
assert_eq yes "$ok" "alice's password verifies inside the container"

in_node lxc-stop -P "$LXC" -n "$CT" -t 30 || fail "lxc-stop failed"
say "PASS"
