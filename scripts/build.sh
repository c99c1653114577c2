#!/bin/sh
# build.sh [DIR [CMAKE ARGS...]]: configure and build p2v into DIR
# (default build/). Warnings are errors.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}
[ $# -gt 0 ] && shift
cmake -S "$top" -B "$dir" -DP2V_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null 2>"$dir.build-errors" || {
    cat "$dir.build-errors" >&2
    exit 1
}
rm -f "$dir.build-errors"
