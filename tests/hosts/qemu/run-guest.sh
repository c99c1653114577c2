#!/bin/bash
# run-guest.sh: run a shell script inside Debian's own kernel under qemu.
#
#   run-guest.sh [-d DISK.img]... [-a FILE]... [-o OUTDIR] [-O SIZE] [-m MB]
#                [-t SECONDS] SCRIPT
#
# Boots the cached Debian kernel (kernel.sh) with a throw-away initramfs:
# busybox-static, the kernel modules for virtio disks, ext4, xfs and the quota
# formats, and the quota-tools (quotacheck, quotaon, quotaoff, setquota,
# repquota) with their shared libraries. SCRIPT runs as root under busybox sh
# in /tmp with:
#   PATH          busybox applets, the quota tools, and /guest/bin
#   /guest/bin/   every FILE given with -a (e.g. the static p2v-agent)
#   P2V_DISKS     the -d disks in order, as guest devices ("vda vdb")
#   P2V_OUT       a directory; with -o, what the script leaves there is copied
#                 to OUTDIR on the host (through an extra raw disk, as a tar)
# The script's stdout and stderr come back on this script's stdout (through
# the serial console), and its exit status is this script's exit status.
# Kernel messages and a console log stay in the work directory, which is
# removed at the end unless P2V_QEMU_KEEP=1.
#
# Environment: P2V_TEST_CACHE (kernel cache), P2V_QEMU_ACCEL (default tcg;
# KVM often is not usable in CI VMs), P2V_QEMU_KEEP.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

disks=() extras=() outdir="" outsize=64M mem=512 tmo=300
while getopts "d:a:o:O:m:t:" opt; do
    case $opt in
    d) disks+=("$OPTARG") ;;
    a) extras+=("$OPTARG") ;;
    o) outdir=$OPTARG ;;
    O) outsize=$OPTARG ;;
    m) mem=$OPTARG ;;
    t) tmo=$OPTARG ;;
    *) sed -n '2,8p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
script=$1
[ -f "$script" ] || { echo "run-guest: no script $script" >&2; exit 2; }
for d in "${disks[@]}"; do
    [ -f "$d" ] || [ -b "$d" ] || { echo "run-guest: no disk $d" >&2; exit 2; }
done
for f in "${extras[@]}"; do
    [ -f "$f" ] || { echo "run-guest: no file $f" >&2; exit 2; }
done
for t in qemu-system-x86_64 cpio gzip; do
    command -v $t >/dev/null || { echo "run-guest: $t is not installed" >&2; exit 2; }
done
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
    busybox=/bin/busybox
    [ -x "$busybox" ] || { echo "run-guest: busybox-static is not installed" >&2; exit 2; }
fi

kdir=$("$here/kernel.sh")
kver=$(basename "$(ls -d "$kdir"/lib/modules/* | head -n 1)")
vmlinuz="$kdir/boot/vmlinuz-$kver"
moddir="$kdir/lib/modules/$kver"

work=$(mktemp -d /tmp/p2v-qemu.XXXXXX)
cleanup() {
    if [ "${P2V_QEMU_KEEP:-0}" = 1 ]; then
        echo "run-guest: kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
root="$work/root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,mnt,out,guest/bin,lib/modules,usr/sbin}
cp "$busybox" "$root/bin/busybox"

# Modules in dependency order: each module's depends= (from its .modinfo)
# before itself; built-in ones are simply absent.
declare -A seen=()
order=()
add_module() {
    local m=$1 f dep
    [ -n "${seen[$m]:-}" ] && return 0
    seen[$m]=1
    f=$(find "$moddir/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n 1)
    [ -n "$f" ] || return 0
    for dep in $(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_module "$dep"
    done
    case $f in
    *.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
    *.zst) zstd -qdc "$f" >"$root/lib/modules/$m.ko" ;;
    *) cp "$f" "$root/lib/modules/$m.ko" ;;
    esac
    order+=("$m")
}
for m in virtio_pci virtio_blk crc32c_generic crc32c_intel libcrc32c crc16 \
         quota_tree quota_v1 quota_v2 ext4 xfs loop; do
    add_module "$m"
done
printf '%s\n' "${order[@]}" >"$root/lib/modules/order"

# quota-tools and their libraries (paths kept as on the host)
copy_libs() {
    local lib
    for lib in $(ldd "$1" 2>/dev/null | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
        [ -e "$root$lib" ] && continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
}
copy_bin() {
    local b
    b=$(command -v "$1") || { echo "run-guest: $1 not found (install quota)" >&2; exit 2; }
    cp -L "$b" "$root/usr/sbin/$1"
    copy_libs "$b"
}
for b in quotacheck quotaon setquota repquota; do copy_bin $b; done
ln -s quotaon "$root/usr/sbin/quotaoff"
# -a files, with their libraries when dynamic (e.g. a sanitizer build)
for f in "${extras[@]}"; do cp -L "$f" "$root/guest/bin/"; copy_libs "$f"; done
chmod +x "$root"/guest/bin/* 2>/dev/null || true
cp "$script" "$root/guest/script.sh"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\n' >"$root/etc/nsswitch.conf"

outdev=""
if [ -n "$outdir" ]; then
    outdev=vd$(printf "\\$(printf '%03o' $((97 + ${#disks[@]})))")
fi
cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/guest/bin:/usr/sbin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo 1 >/proc/sys/kernel/printk
for m in \$(cat /lib/modules/order); do
    insmod /lib/modules/\$m.ko || echo "init: insmod \$m failed"
done
ln -s /proc/self/mounts /etc/mtab
disks="$(for i in "${!disks[@]}"; do printf 'vd%s ' "$(printf "\\$(printf '%03o' $((97 + i)))")"; done)"
for d in \$disks $outdev; do
    n=0
    while [ ! -b /dev/\$d ] && [ \$n -lt 100 ]; do sleep 0.1; n=\$((n + 1)); done
done
export P2V_DISKS="\${disks% }" P2V_OUT=/out HOME=/tmp
cd /tmp
echo "@@P2V-GUEST-BEGIN@@"
sh /guest/script.sh </dev/null 2>&1
rc=\$?
echo "@@P2V-GUEST-END rc=\$rc@@"
if [ -n "$outdev" ]; then
    (cd /out && tar -cf /dev/$outdev .) || echo "@@P2V-GUEST-OUT-FAILED@@"
fi
sync
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

qargs=(-accel "${P2V_QEMU_ACCEL:-tcg}" -m "$mem" -smp 1 -nodefaults -no-reboot
       -display none -serial "file:$work/console.log" -monitor none
       -kernel "$vmlinuz" -initrd "$work/initrd.gz"
       -append "console=ttyS0 panic=-1 quiet loglevel=1")
for d in "${disks[@]}"; do
    qargs+=(-drive "file=$d,if=virtio,format=raw,cache=unsafe")
done
if [ -n "$outdir" ]; then
    truncate -s "$outsize" "$work/out.img"
    qargs+=(-drive "file=$work/out.img,if=virtio,format=raw")
fi
qrc=0
timeout "$tmo" qemu-system-x86_64 "${qargs[@]}" </dev/null >"$work/qemu.log" 2>&1 || qrc=$?
tr -d '\r' <"$work/console.log" >"$work/console.txt"
if ! grep -q '^@@P2V-GUEST-END rc=' "$work/console.txt"; then
    echo "run-guest: the guest did not finish (qemu exit $qrc); console tail:" >&2
    tail -n 40 "$work/console.txt" >&2
    cat "$work/qemu.log" >&2
    exit 1
fi
sed -n '/^@@P2V-GUEST-BEGIN@@$/,/^@@P2V-GUEST-END rc=/p' "$work/console.txt" | sed '1d;$d'
rc=$(sed -n 's/^@@P2V-GUEST-END rc=\([0-9]*\)@@$/\1/p' "$work/console.txt" | tail -n 1)
if [ -n "$outdir" ]; then
    mkdir -p "$outdir"
    if grep -q '^@@P2V-GUEST-OUT-FAILED@@' "$work/console.txt" ||
       ! tar -C "$outdir" -xf "$work/out.img" 2>"$work/tar.log"; then
        echo "run-guest: could not copy the guest's P2V_OUT back" >&2
        cat "$work/tar.log" >&2 || true
        exit 1
    fi
fi
exit "${rc:-1}"
