#!/bin/sh
# install-deps.sh: install what building and testing p2v needs on Debian 12
# (as root). Only missing packages are installed; apt uses whatever mirror
# the machine is configured with.
set -eu
pkgs="build-essential cmake pkg-config clang
 libblkid-dev libmount-dev libjson-c-dev libacl1-dev libarchive-dev libzstd-dev librsync-dev libb2-dev libxxhash-dev libcap-dev zlib1g-dev liblzma-dev xz-utils
 openssh-client debootstrap systemd-container iproute2 e2fsprogs xfsprogs quota acl attr libcap2-bin lxc
 util-linux kmod procps jq libarchive-tools socat openssl time qemu-system-x86 busybox-static cpio rsync valgrind
 gcc-mingw-w64-x86-64 wine64"
missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install-deps: run as root to install:$missing" >&2
        exit 1
    fi
    echo "install-deps: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
