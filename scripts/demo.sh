#!/usr/bin/env bash
# Builds dlmeval and runs `dlmeval demo` (trains the embedded toy model on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR" -j "$(nproc)" --target dlmeval
"$BUILD_DIR/dlmeval" demo "$@"
