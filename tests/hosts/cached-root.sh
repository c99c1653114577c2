#!/bin/sh
# cached-root.sh SUITE: print the path of a debootstrapped Debian SUITE root
# (bookworm, bullseye) kept in the cache outside the clone, building it the
# first time. Callers copy it; nobody writes into the cache copy.
#
# The cache lives in $P2V_TEST_CACHE (default /var/cache/p2v-test) so that
# it survives fresh clones; it is rebuilt when this script's package list
# changes (the list is part of the cache key).
set -eu
suite=${1:?usage: cached-root.sh SUITE}
here=$(cd "$(dirname "$0")" && pwd)
cache=${P2V_TEST_CACHE:-/var/cache/p2v-test}
pkgs="systemd,systemd-sysv,dbus,openssh-server,ifupdown,iproute2,net-tools,acl,attr,libcap2-bin,quota,procps,kmod,e2fsprogs,xfsprogs"
key=$(printf '%s %s v1' "$suite" "$pkgs" | md5sum | cut -c1-12)
dest="$cache/root-$suite-$key"
mkdir -p "$cache"
exec 9>"$cache/.lock-$suite"
flock 9
if [ ! -f "$dest/.complete" ]; then
    mirror=$("$here/debian-mirror.sh")
    tmp="$dest.tmp.$$"
    rm -rf "$tmp" "$dest"
    echo "cached-root: debootstrap $suite from $mirror into $dest (first run only)" >&2
    if ! debootstrap --variant=minbase --include="$pkgs" "$suite" "$tmp" "$mirror" >"$cache/debootstrap-$suite.log" 2>&1; then
        echo "cached-root: debootstrap $suite failed; see $cache/debootstrap-$suite.log" >&2
        tail -n 20 "$cache/debootstrap-$suite.log" >&2
        rm -rf "$tmp"
        exit 1
    fi
    rm -f "$tmp"/var/cache/apt/archives/*.deb
    touch "$tmp/.complete"
    mv "$tmp" "$dest"
fi
echo "$dest"
