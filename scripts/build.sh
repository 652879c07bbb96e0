#!/usr/bin/env bash
# Builds every dlmeval target (the CLI, both test binaries, the benchmarks) with the settings the
# tests use. The one way to build the project, for people and for scripts alike.
#
#   scripts/build.sh [--cuda] [BUILD_DIR] [-- EXTRA_CMAKE_ARGS...]
#
#   --cuda      link LibTorch's CUDA libraries and compile the CUDA code paths (needs a CUDA build
#               of LibTorch and nvcc); default folder build-cuda instead of build
#   BUILD_DIR   build folder (default build)
# Environment: JOBS (compile jobs, default all cores), TARGETS (default: all), and Torch_DIR or
# CMAKE_PREFIX_PATH to build against another LibTorch. Without them the LibTorch is the one in
# .venv (scripts/install-deps.sh), or else the torch package of python3 on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
CUDA=OFF
BUILD_DIR=""
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cuda) CUDA=ON ;;
    --) shift; EXTRA=("$@"); break ;;
    -*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
    *) BUILD_DIR=$1 ;;
  esac
  shift
done
[ -n "$BUILD_DIR" ] || BUILD_DIR=$([ "$CUDA" = ON ] && echo build-cuda || echo build)
JOBS=${JOBS:-$(nproc)}

ARGS=(-S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDLMEVAL_WITH_CUDA=$CUDA)
if [ -z "${Torch_DIR:-}" ] && [ -z "${CMAKE_PREFIX_PATH:-}" ] && [ -x .venv/bin/python3 ]; then
  ARGS+=(-DDLMEVAL_PYTHON="$PWD/.venv/bin/python3")
fi
if [ "$CUDA" = ON ] && ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH=/usr/local/cuda/bin:$PATH
fi
cmake "${ARGS[@]}" "${EXTRA[@]}"
# shellcheck disable=SC2086
cmake --build "$BUILD_DIR" -j "$JOBS" ${TARGETS:+--target $TARGETS}
