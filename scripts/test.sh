#!/usr/bin/env bash
# Builds every target (scripts/build.sh) and runs every test of dlmeval on the CPU.
# Usage: scripts/test.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
JOBS=${JOBS:-$(nproc)}
bash scripts/build.sh "$BUILD_DIR"
# Tests run in parallel: OpenMP threads that spin while waiting would steal the cores from each other.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
ctest --test-dir "$BUILD_DIR" -j "$JOBS" --output-on-failure --timeout 600
