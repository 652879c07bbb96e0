#!/usr/bin/env bash
# Builds dlmeval (scripts/build.sh) and runs `dlmeval demo` (trains the embedded toy model on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
bash scripts/build.sh "$BUILD_DIR"
"$BUILD_DIR/dlmeval" demo "$@"
