#!/bin/bash
# mutate.sh TREE [SEED]: change a tree made by tests/hosts/make-tree.sh
# (server or bench profile) the way a live server changes between the first
# copy and the final sync. Deterministic for a given tree and seed.
#
# Of the regular files outside srv/db and srv/vm (sorted by name):
#   2%   edited   (half appended to, half overwritten in the middle, same size)
#   0.5% deleted
#   1%   touched  (new mtime, same content)
#   0.5% added    (new files next to existing ones)
# Big files in srv/db (table1, table2, table3, ...):
#   table1  1% of its 4 KiB blocks overwritten in place
#   table2  appended to (1% of its size)
#   table3  truncated (by 1% of its size)
# Prints a one-line summary.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: mutate.sh TREE [SEED]" >&2; exit 2; }
TREE=$(cd "$1" && pwd -P)
SEED=${2:-p2v-mutate-1}
export LC_ALL=C
cd "$TREE"
T0=1700000000

rnd() { # NAME BYTES
    local key
    key=$(printf '%s:%s' "$SEED" "$1" | sha256sum | cut -c1-32)
    head -c "$2" /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$key" -iv 00000000000000000000000000000000
}

seednum=$(printf '%s' "$SEED" | cksum | cut -d' ' -f1)
# Plan: one line per action, "ACTION<TAB>PATH", from an LCG over the sorted list.
find . -type f ! -path './srv/db/*' ! -path './srv/vm/*' -printf '%P\n' | sort | awk -v seed="$seednum" '
function r(m) { x = (x * 16807) % 2147483647; return x % m }
{ f[NR] = $0 }
END {
    x = seed % 2147483646 + 3
    n = NR
    for (i = 1; i <= n; i++) {
        v = r(1000)
        if (v < 20) a = "edit"; else if (v < 25) a = "delete"; else if (v < 35) a = "touch"; else a = ""
        if (a != "") print a "\t" f[i]
        if (v >= 35 && v < 40) print "add\t" f[i]
    }
}' >"$TREE/.mutate-plan"

edited=0 deleted=0 touched=0 added=0 k=0
while IFS=$'\t' read -r action path; do
    k=$((k + 1))
    case $action in
        edit)
            size=$(stat -c %s -- "$path")
            if [ $((k % 2)) = 0 ] || [ "$size" -lt 64 ]; then
                printf 'edited line %d\n' "$k" >>"$path"
            else
                rnd "edit$k" 32 | dd of="$path" bs=1 seek=$((size / 2)) conv=notrunc status=none
            fi
            touch -h -d "@$((T0 + k))" -- "$path"
            edited=$((edited + 1)) ;;
        delete) rm -f -- "$path"; deleted=$((deleted + 1)) ;;
        touch) touch -h -d "@$((T0 + 500000 + k))" -- "$path"; touched=$((touched + 1)) ;;
        add)
            new="$(dirname -- "$path")/added-$k.new"
            rnd "add$k" $((500 + (k * 7919) % 20000)) >"$new"
            touch -h -d "@$((T0 + 900000 + k))" -- "$new"
            added=$((added + 1)) ;;
    esac
done <"$TREE/.mutate-plan"
rm -f "$TREE/.mutate-plan"

big=""
if [ -f srv/db/table1.ibd ]; then
    size=$(stat -c %s srv/db/table1.ibd); blocks=$((size / 4096)); n=$((blocks / 100))
    for i in $(seq 1 "$n"); do
        b=$(( (i * 2654435761 + seednum) % blocks ))
        rnd "blk$i" 4096 | dd of=srv/db/table1.ibd bs=4096 seek="$b" conv=notrunc status=none
    done
    touch -d "@$((T0 + 1000000))" srv/db/table1.ibd
    big="$big table1: $n blocks rewritten;"
fi
if [ -f srv/db/table2.ibd ]; then
    size=$(stat -c %s srv/db/table2.ibd)
    rnd append $((size / 100)) >>srv/db/table2.ibd
    touch -d "@$((T0 + 1000001))" srv/db/table2.ibd
    big="$big table2: +$((size / 100)) bytes;"
fi
if [ -f srv/db/table3.ibd ]; then
    size=$(stat -c %s srv/db/table3.ibd)
    truncate -s $((size - size / 100)) srv/db/table3.ibd
    touch -d "@$((T0 + 1000002))" srv/db/table3.ibd
    big="$big table3: -$((size / 100)) bytes;"
fi
echo "mutate: $edited edited, $added added, $deleted deleted, $touched touched;$big"
