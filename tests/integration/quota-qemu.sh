#!/bin/bash
# quota-qemu.sh: quotas end to end under a kernel that has the quota formats.
#
# Boots Debian's own kernel in qemu (tests/hosts/qemu/run-guest.sh) with an
# ext4 disk (vfsv1 quota files), an ext4 disk with journaled vfsv0 quota and
# an XFS disk (user, group, project quota); quota-qemu.guest.sh sets limits
# with setquota and runs `p2v-agent --facts --no-scan` with quotas on, then
# again with the ext4 quotas off. Here we check:
#   1. quotas on: the `quotas` member has exactly the limits set (kernel path,
#      GETNEXTQUOTA), with the right formats and usage;
#   2. quotas off: `quota_files` holds the ext4 files byte for byte, and
#      converter/quota_file.c (test_quota_file --dump) reads the same limits.
# Needs root (else skip, 77), qemu-system-x86, busybox-static, quota, cpio,
# e2fsprogs, xfsprogs, jq; the kernel is fetched once into $P2V_TEST_CACHE.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
    echo "quota-qemu: needs root (apt-get download into the cache); skipped"
    exit 77
fi
src=${P2V_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${P2V_BUILD_DIR:?P2V_BUILD_DIR is the build directory}
agent=$build/bin/p2v-agent
dump=$build/bin/test_quota_file
[ -x "$dump" ] || dump=$(find "$build" -name test_quota_file -type f -perm -u+x | head -n 1)
[ -x "$agent" ] || { echo "quota-qemu: no agent at $agent (build first)" >&2; exit 1; }
[ -n "$dump" ] && [ -x "$dump" ] || { echo "quota-qemu: no test_quota_file in $build" >&2; exit 1; }
if ! command -v jq >/dev/null; then
    echo "quota-qemu: installing jq" >&2
    apt-get install -y jq >/dev/null
fi
for t in mkfs.ext4 mkfs.xfs; do
    command -v $t >/dev/null || { echo "quota-qemu: $t missing (e2fsprogs, xfsprogs)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/p2v-quota-qemu.XXXXXX)
trap 'rm -rf "$work"' EXIT
truncate -s 32M "$work/v1.img" "$work/j0.img"
truncate -s 320M "$work/x.img"          # mkfs.xfs wants 300 MB at least
mkfs.ext4 -q -F "$work/v1.img"
mkfs.ext4 -q -F "$work/j0.img"
mkfs.xfs -q -f "$work/x.img"

start=$(date +%s)
"$src/tests/hosts/qemu/run-guest.sh" -d "$work/v1.img" -d "$work/j0.img" -d "$work/x.img" \
    -a "$agent" -o "$work/out" -t 240 "$src/tests/integration/quota-qemu.guest.sh"
echo "quota-qemu: guest ran in $(($(date +%s) - start)) s"

fail=0
check() { # check WHAT GOT WANT
    if [ "$2" = "$3" ]; then
        echo "ok - $1"
    else
        echo "not ok - $1"
        echo "#   got:  $2"
        echo "#   want: $3"
        fail=1
    fi
}

on=$work/out/facts-on.json off=$work/out/facts-off.json
jq -e . "$on" >/dev/null && jq -e . "$off" >/dev/null || { echo "quota-qemu: agent output is not JSON" >&2; exit 1; }

# "ID BSOFT BHARD ISOFT IHARD" of the entries that have limits, by id
limits() { # FILE MOUNTPOINT TYPE
    jq -r --arg mp "$2" --arg t "$3" '[.quotas[] | select(.mountpoint == $mp and .type == $t)
        | .entries[] | select(.bsoft + .bhard + .isoft + .ihard > 0)
        | "\(.id) \(.bsoft) \(.bhard) \(.isoft) \(.ihard)"] | join(",")' "$1"
}
field() { # FILE MOUNTPOINT TYPE JQ-EXPR
    jq -r --arg mp "$2" --arg t "$3" "[.quotas[] | select(.mountpoint == \$mp and .type == \$t)] | $4" "$1"
}
want_user="1001 1000 2000 10 20,1002 5000 6000 50 60"
want_group="100 3000 4000 30 40"

echo "# quotas on: the kernel path"
check "no collector errors" "$(jq -c '.errors' "$on")" "[]"
for mp in /mnt/v1 /mnt/j0 /mnt/x; do
    case $mp in /mnt/v1) fmt=vfsv1 ;; /mnt/j0) fmt=vfsv0 ;; *) fmt=xfs ;; esac
    check "$mp user limits" "$(limits "$on" $mp user)" "$want_user"
    check "$mp group limits" "$(limits "$on" $mp group)" "$want_group"
    check "$mp one active user entry, format" "$(field "$on" $mp user 'map("\(.format) \(.active) \(.truncated)") | join(",")')" "$fmt true false"
    check "$mp group format" "$(field "$on" $mp group 'map(.format) | join(",")')" "$fmt"
    check "$mp usage of 1001" "$(field "$on" $mp user '.[0].entries[] | select(.id == 1001) | "\(.curspace) \(.curinodes)"')" "12288 1"
    check "$mp usage of group 100" "$(field "$on" $mp group '.[0].entries[] | select(.id == 100) | "\(.curspace) \(.curinodes)"')" "12288 1"
done
check "/mnt/v1 user grace times" "$(field "$on" /mnt/v1 user '.[0] | "\(.bgrace) \(.igrace)"')" "86400 3600"
check "/mnt/x project limits" "$(limits "$on" /mnt/x project)" "42 700 800 7 8"
check "/mnt/v1 device" "$(field "$on" /mnt/v1 user '.[0] | "\(.device) \(.fstype)"')" "/dev/vda ext4"
check "no quota files while enforcing" "$(jq -c '[.quota_files[].path]' "$on")" "[]"

echo "# ext4 quotas off: the files, parsed on the node"
check "no collector errors (off)" "$(jq -c '.errors' "$off")" "[]"
check "ext4 no longer in quotas" "$(jq -c '[.quotas[] | .mountpoint] | unique' "$off")" '["/mnt/x"]'
check "xfs still reported" "$(limits "$off" /mnt/x user)" "$want_user"
check "quota files found" "$(jq -c '[.quota_files[] | "\(.path) \(.type)"] | sort' "$off")" \
    '["/mnt/j0/aquota.group group","/mnt/j0/aquota.user user","/mnt/v1/aquota.group group","/mnt/v1/aquota.user user"]'
for mp in v1 j0; do
    case $mp in v1) fmt=vfsv1 ;; *) fmt=vfsv0 ;; esac
    for type in user group; do
        f=$work/blob.$mp.$type
        jq -r --arg p "/mnt/$mp/aquota.$type" '.quota_files[] | select(.path == $p) | .blob.base64 // empty' "$off" | base64 -d >"$f"
        if [ ! -s "$f" ]; then
            jq -j --arg p "/mnt/$mp/aquota.$type" '.quota_files[] | select(.path == $p) | .blob.text // empty' "$off" >"$f"
        fi
        if cmp -s "$f" "$work/out/$mp/aquota.$type"; then
            echo "ok - /mnt/$mp/aquota.$type blob is the file"
        else
            echo "not ok - /mnt/$mp/aquota.$type blob differs from the file"
            fail=1
        fi
        if ! "$dump" --dump "$f" >"$f.txt"; then
            echo "not ok - quota_file_parse /mnt/$mp/aquota.$type"
            fail=1
            continue
        fi
        want=$want_user
        [ $type = group ] && want=$want_group
        check "/mnt/$mp/aquota.$type header" "$(head -n 1 "$f.txt" | cut -d' ' -f1-2)" "$fmt $type"
        check "/mnt/$mp/aquota.$type parsed limits" \
            "$(awk 'NR > 1 && $3 + $4 + $7 + $8 > 0 { printf "%s%s %s %s %s %s", sep, $1, $3, $4, $7, $8; sep = "," }' "$f.txt")" "$want"
        used_id=1001
        [ $type = group ] && used_id=100
        check "/mnt/$mp/aquota.$type parsed usage" "$(awk -v id=$used_id 'NR > 1 && $1 == id { print $2, $6 }' "$f.txt")" "12 1"
    done
done
check "/mnt/v1/aquota.user grace times parsed" "$(head -n 1 "$work/blob.v1.user.txt" | cut -d' ' -f3-4)" "86400 3600"

if [ $fail != 0 ]; then
    echo "quota-qemu: FAILED; agent output follows" >&2
    jq '{quotas, quota_files: [.quota_files[] | {path, type, size}], errors}' "$on" "$off" >&2
    exit 1
fi
echo "quota-qemu: all checks passed"
