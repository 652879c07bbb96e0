#!/usr/bin/env bash
# Runs one fuzz target once over its seed corpus and its regression inputs (no mutation): what CI
# does with every target. Usage: run_corpus.sh TARGET_BINARY CORPUS_ROOT SHARED_DIR
set -euo pipefail
binary=$1 root=$2 shared=$3
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$binary")
seeds="$root/$name"
rm -rf "$seeds"
/usr/bin/python3 "$here/seed_corpus.py" "$name" "$seeds" "$here/../.." "$shared"
inputs=("$seeds")
[ -d "$here/regressions/$name" ] && inputs+=("$here/regressions/$name")
# -runs=0: read (and so execute) every input, then stop. A hang over 1 s or a leak fails too.
DLMEVAL_SHARED_DIR=$shared "$binary" -runs=0 -timeout=1 -rss_limit_mb=4096 -artifact_prefix="$root/$name-" "${inputs[@]}"
