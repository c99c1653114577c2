#!/bin/sh
# gen-corpus.sh BUILD_DIR: regenerate the seed corpora in tests/fuzz/corpus
# with BUILD_DIR's fuzz-gen-seeds (real encodings and the fixtures) and
# the facts of this machine as BUILD_DIR's p2v-agent reports them. Inputs
# kept from fuzzing runs (found-*) are left alone.
set -eu
build=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus="$src/tests/fuzz/corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bin/p2v-agent" --facts --no-scan >"$tmp/agent-facts.json"
find "$corpus" -type f ! -name 'found-*' -delete 2>/dev/null || true
"$build/bin/fuzz-gen-seeds" "$corpus" "$src/tests/fixtures" "$tmp/agent-facts.json"
du -sh "$corpus"
