#!/usr/bin/env bash
# Builds the dlmeval binary alone (scripts/build.sh; the tests and benchmarks are left for
# scripts/test.sh) and runs `dlmeval demo` (trains the embedded toy model on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
TARGETS=${TARGETS:-dlmeval} bash scripts/build.sh "$BUILD_DIR"
"$BUILD_DIR/dlmeval" demo "$@"
