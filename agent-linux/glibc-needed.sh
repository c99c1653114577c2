#!/bin/sh
# glibc-needed.sh BINARY OUT: write to OUT the newest GLIBC_x.y symbol
# version BINARY needs ("2.34"), read from its dynamic symbol versions.
# p2vmigrate sends p2v-agent-sys only to sources with that glibc or newer.
set -eu
bin=$1 out=$2
v=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
case $v in
    [0-9]*.[0-9]*) ;;
    *) echo "glibc-needed.sh: no GLIBC_ symbol version in $bin" >&2; exit 1 ;;
esac
printf '%s\n' "$v" >"$out.tmp"
mv "$out.tmp" "$out"
