#!/bin/sh
# Print the Debian mirror apt is configured with, so debootstrap uses the
# same archive as apt (never a hard-coded host). deb822 sources first, then
# the one-line format.
set -eu
for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk '/^URIs:/ {u=$2} /^Suites:/ { for (i=2;i<=NF;i++) if ($i !~ /-/) s=1 }
         /^$/ { if (u!="" && s) { print u; exit } u=""; s=0 }
         END { if (u!="" && s) print u }' "$f" | grep -v security | head -n1 && exit 0
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk '$1=="deb" && $0 !~ /security/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f" | head -n1 | grep . && exit 0
done
echo "debian-mirror.sh: no Debian mirror found in apt's sources; configure apt first" >&2
exit 1
