#!/bin/sh
# test.sh: install what is missing, build p2v twice (normal with a static
# agent, and ASan+UBSan), and run the whole test suite. The sanitizer
# build's suite runs as one ctest test of the main run, so the last line
# printed is the one ctest summary of everything.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh" "$top/build"
"$top/scripts/build.sh" "$top/build-asan" -DP2V_SANITIZE=ON -DP2V_ASAN_SUITE=OFF
cd "$top/build"
exec ctest --output-on-failure --timeout 1200 -j2 "$@"
