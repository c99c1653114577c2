#!/bin/sh
# kernel.sh: print the directory of an extracted Debian kernel (boot/vmlinuz-*,
# boot/config-*, lib/modules/*) kept in the cache outside the clone, fetching
# it the first time.
#
# The package is Debian's own (linux-image-amd64 -> linux-image-<ver>-amd64):
# it has the quota formats (QFMT_V1/V2, XFS_QUOTA) the build machines' kernel
# may lack. It is never installed: `apt-get download` + `dpkg-deb -x` into
# $P2V_TEST_CACHE/kernel/ (default /var/cache/p2v-test/kernel/). Offline, the
# newest kernel already in the cache is used.
set -eu
cache=${P2V_TEST_CACHE:-/var/cache/p2v-test}/kernel
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

newest_cached() {
    ls -d "$cache"/linux-image-*/ 2>/dev/null | while read -r d; do
        [ -f "$d/.complete" ] && echo "${d%/}"
    done | sort -V | tail -n 1
}

resolve() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-amd64$/ { print $2; exit }'
}

pkg=$(resolve || true)
if [ -z "$pkg" ] && [ -z "$(newest_cached)" ]; then
    echo "kernel.sh: apt knows no linux-image-amd64; running apt-get update" >&2
    apt-get update >/dev/null 2>&1 || true
    pkg=$(resolve || true)
fi
if [ -z "$pkg" ]; then
    dir=$(newest_cached)
    [ -n "$dir" ] || { echo "kernel.sh: cannot resolve linux-image-amd64 and nothing is cached" >&2; exit 1; }
    echo "$dir"
    exit 0
fi

dest="$cache/$pkg"
if [ ! -f "$dest/.complete" ]; then
    tmp="$cache/tmp.$$"
    rm -rf "$tmp" "$dest"
    mkdir -p "$tmp/deb"
    # apt drops privileges to _apt for downloads: let it write there.
    chmod 0777 "$tmp/deb"
    echo "kernel.sh: downloading $pkg (first run only)" >&2
    if ! (cd "$tmp/deb" && apt-get download "$pkg" >"$tmp/download.log" 2>&1); then
        cat "$tmp/download.log" >&2
        rm -rf "$tmp"
        dir=$(newest_cached)
        [ -n "$dir" ] || exit 1
        echo "kernel.sh: download failed; using cached $dir" >&2
        echo "$dir"
        exit 0
    fi
    mkdir -p "$tmp/x"
    dpkg-deb -x "$tmp"/deb/*.deb "$tmp/x"
    ls "$tmp"/x/boot/vmlinuz-* >/dev/null
    ls -d "$tmp"/x/lib/modules/* >/dev/null
    touch "$tmp/x/.complete"
    mv "$tmp/x" "$dest"
    rm -rf "$tmp"
    # keep only this kernel and the .deb-free tree
    for old in "$cache"/linux-image-*; do
        [ "$old" = "$dest" ] || rm -rf "$old"
    done
fi
echo "$dest"
