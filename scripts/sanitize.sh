#!/usr/bin/env bash
# The LibTorch-free code under AddressSanitizer + UndefinedBehaviorSanitizer, built with clang and
# libFuzzer's instrumentation in one folder: the torch-free test binary runs every unit test (those
# that start the CLI start the regular build's binary), and every fuzz target runs once over its
# seed corpus and past findings. CI runs this after scripts/test.sh.
#
#   scripts/sanitize.sh [BUILD_DIR] [-- CTEST_ARGS...]     (default folder build-sanitize)
# Environment: JOBS; DLMEVAL_BINARY (default build/dlmeval, made by scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=build-sanitize
CTEST_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; CTEST_ARGS=("$@"); break ;;
    *) BUILD_DIR=$1 ;;
  esac
  shift
done
JOBS=${JOBS:-$(nproc)}
BINARY=${DLMEVAL_BINARY:-$PWD/build/dlmeval}
[ -x "$BINARY" ] || { echo "sanitize.sh: $BINARY is missing: run scripts/build.sh first" >&2; exit 2; }
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DDLMEVAL_TORCH_FREE_ONLY=ON -DDLMEVAL_SANITIZE=ON -DDLMEVAL_FUZZ=ON -DDLMEVAL_BUILD_BENCH=OFF \
  -DDLMEVAL_EXTERNAL_BINARY="$BINARY"
cmake --build "$BUILD_DIR" -j "$JOBS"
# Leaks fail the run; the sandbox's child processes are not instrumented and are left alone.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
ctest --test-dir "$BUILD_DIR" -j "$JOBS" --output-on-failure --timeout 900 "${CTEST_ARGS[@]}"
