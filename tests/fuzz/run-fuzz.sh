#!/bin/sh
# run-fuzz.sh BUILD_DIR SECONDS: a bounded fuzzing run of every target.
#
# Configures a clang build with P2V_FUZZ=ON in BUILD_DIR (once), builds only
# the libFuzzer binaries, and runs each for SECONDS seconds on a copy of its
# corpus (BUILD_DIR/fuzz-run/<target>/; new inputs and crash artifacts stay
# there, never in the repository). Prints executions and crashes per
# target; exits 1 if any target crashed, leaked or timed out, 77 (skipped)
# without clang or libFuzzer. To keep a crash as a regression seed, copy it
# to tests/fuzz/corpus/<target>/found-<what>.
set -u
if [ $# -lt 1 ]; then
    echo "usage: run-fuzz.sh BUILD_DIR [SECONDS]" >&2
    exit 2
fi
build=$1
secs=${2:-20}
src=$(cd "$(dirname "$0")/../.." && pwd)
cc=${P2V_FUZZ_CC:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "run-fuzz: $cc not found: fuzzing skipped"
    exit 77
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! "$cc" -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" >"$probe/log" 2>&1; then
    echo "run-fuzz: $cc cannot link libFuzzer (-fsanitize=fuzzer): fuzzing skipped"
    exit 77
fi

targets=""
for f in "$src"/tests/fuzz/fuzz_*.c; do
    t=${f##*/fuzz_}
    targets="$targets ${t%.c}"
done

mkdir -p "$build"
if [ ! -f "$build/CMakeCache.txt" ]; then
    echo "run-fuzz: configuring $build"
    if ! cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DP2V_FUZZ=ON \
        -DP2V_STATIC_AGENT=OFF -DP2V_ASAN_SUITE=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        >"$build/fuzz-configure.log" 2>&1; then
        cat "$build/fuzz-configure.log"
        exit 1
    fi
fi
bins=""
for t in $targets; do
    bins="$bins fuzz_$t"
done
echo "run-fuzz: building$bins"
# shellcheck disable=SC2086
if ! cmake --build "$build" -j2 --target $bins >"$build/fuzz-build.log" 2>&1; then
    tail -50 "$build/fuzz-build.log"
    exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
total=0
for t in $targets; do
    work="$build/fuzz-run/$t"
    rm -rf "$work"
    mkdir -p "$work/corpus"
    cp "$src/tests/fuzz/corpus/$t/"* "$work/corpus/" 2>/dev/null
    "$build/bin/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
    crashes=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
        -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes=1
    fi
    total=$((total + ${execs:-0}))
    printf 'fuzz_%-12s %10s executions  %s crashes  (%s s, corpus %s -> %s inputs)\n' "$t" \
        "${execs:-?}" "$crashes" "$secs" "$(ls "$src/tests/fuzz/corpus/$t" | wc -l)" \
        "$(ls "$work/corpus" | wc -l)"
    if [ "$crashes" -ne 0 ]; then
        failed=1
        echo "--- fuzz_$t (exit $rc), log $work/log:"
        grep -v '^#[0-9]' "$work/log" | tail -n 40
        find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
            -o -name 'timeout-*' -o -name 'oom-*' \) -exec echo "artifact: {}" \;
    fi
done
echo "run-fuzz: $total executions in all"
exit $failed
