#!/usr/bin/env bash
# The whole GPU job as one command, run from the repository root on the lent GPU machine:
#   bash scripts/gpu/run-on-gpu.sh
# 1. build: scripts/build.sh --cuda against the LibTorch inside the machine's PyTorch: the full
#    project where the Debian packages are, else the runtime-only mode (cmake/runtime_only.cmake);
# 2. tests: the torch golden tests with their models on the GPU (fp32 at the goldens' tolerances,
#    TF32 off) and the bf16 smoke tests;
# 3. bench: dlmeval_gpu_bench (iLLaDA-8B shape, bf16), whose table is printed last.
# Logs and JSON go to $OUT. Needs .gpu/ (scripts/gpu/prepare.sh, run beforehand where the Debian
# packages are) carried along. Each step's time limit comes from what is left of TOTAL_S, so the
# job ends, summary included, within about TOTAL_S + 60 seconds whatever step is slow.
#
# Environment:
#   DLMEVAL_GPU_DEVICE  cuda (default), or cpu: a fallback that exercises this script without a GPU
#                       (the CPU build, benchmark at --small)
#   DLMEVAL_GPU_STEPS   the steps to run (default "build tests bench"); a rerun on a warm machine
#                       can skip what already passed (the build folder is kept there)
#   OUT                 logs and JSON (default /tmp/dlmeval-gpu-out)
#   BUILD_DIR           build folder (default build-gpu, ignored by git)
#   JOBS                compile jobs (default: all cores)
#   TOTAL_S             target seconds for the whole job (default 470)
#   BENCH_ARGS          extra arguments for dlmeval_gpu_bench
#   DLMEVAL_GPU_MODE    full or runtime-only: the build mode, instead of the one the machine's
#                       packages decide (runtime-only here checks the mode a bare GPU machine gets)
set -uo pipefail
cd "$(dirname "$0")/../.."
START=$(date +%s)
DEVICE=${DLMEVAL_GPU_DEVICE:-cuda}
STEPS=${DLMEVAL_GPU_STEPS:-build tests bench}
OUT=${OUT:-/tmp/dlmeval-gpu-out}
BUILD_DIR=${BUILD_DIR:-build-gpu}
JOBS=${JOBS:-$(nproc)}
TOTAL_S=${TOTAL_S:-470}
mkdir -p "$OUT"
elapsed() { echo $(($(date +%s) - START)); }
# Seconds left of TOTAL_S less `reserve`, at least `floor`: a step's time limit.
limit() { local l=$((TOTAL_S - $(elapsed) - $1)); [ "$l" -lt "$2" ] && l=$2; echo "$l"; }
wanted() { [[ " $STEPS " == *" $1 "* ]]; }

if [ ! -f .gpu/vendor/include/nlohmann/json.hpp ] || [ ! -d .gpu/shared/golden/checkpoints ]; then
  echo "run-on-gpu.sh: .gpu/ is missing: run scripts/gpu/prepare.sh here and carry .gpu" >&2
  exit 2
fi

# --- environment -----------------------------------------------------------------------------
CUDA=OFF
PREFIX=""
if [ "$DEVICE" != "cpu" ]; then
  CUDA=ON
  export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}
  # Fewer fragmentation failures when the benchmark searches for the largest batch.
  export PYTORCH_CUDA_ALLOC_CONF=${PYTORCH_CUDA_ALLOC_CONF:-expandable_segments:True}
fi
if python3 -c 'import torch' 2>/dev/null; then
  PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
fi
GPU_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1)
TORCH_DESC=$(python3 -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda)' 2>/dev/null ||
  echo "system LibTorch")
{
  echo "device: $DEVICE (${GPU_NAME:-no GPU})   $TORCH_DESC   cuda switch: $CUDA   cmake prefix: ${PREFIX:-(default)}"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm --format=csv,noheader
  command -v nvcc >/dev/null && nvcc --version | tail -n 1
  ${CXX:-c++} --version | head -n 1
  cmake --version | head -n 1
  echo "cores: $(nproc); steps: $STEPS"
} >"$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

# --- build -----------------------------------------------------------------------------------
# scripts/build.sh, as everywhere: the full project where the machine has its Debian packages,
# else the runtime-only mode (LibTorch and the sources in .gpu/vendor only).
BUILD="not run"
BUILD_START=$(elapsed)
MODE=full
if ! pkg-config --exists re2 libpcre2-8 icu-uc 2>/dev/null || [ ! -f /usr/include/CLI/CLI.hpp ] ||
  [ ! -f /usr/include/nlohmann/json.hpp ] || [ ! -f /usr/include/benchmark/benchmark.h ]; then
  MODE=runtime-only
fi
MODE=${DLMEVAL_GPU_MODE:-$MODE}
if wanted build; then
  BUILD=failed
  echo "== build ($BUILD_DIR, $MODE, $JOBS jobs)"
  BUILD_ARGS=()
  [ "$CUDA" = ON ] && BUILD_ARGS+=(--cuda)
  CMAKE_ARGS=(-DDLMEVAL_SHARED_DIR="$PWD/.gpu/shared")
  [ -n "$PREFIX" ] && [ -z "${Torch_DIR:-}" ] && CMAKE_ARGS+=(-DCMAKE_PREFIX_PATH="$PREFIX")
  if [ "$MODE" = runtime-only ]; then
    CMAKE_ARGS+=(-DDLMEVAL_RUNTIME_ONLY=ON -DDLMEVAL_VENDOR_DIR="$PWD/.gpu/vendor")
    # The brought GoogleTest 1.12 asks for CMake 3.5 policies, the oldest CMake 4 still accepts.
    [ "$(cmake --version | head -n 1 | grep -oE '[0-9]+' | head -n 1)" -ge 4 ] && CMAKE_ARGS+=(-DCMAKE_POLICY_VERSION_MINIMUM=3.5)
  fi
  if JOBS=$JOBS timeout "$(limit 150 60)" bash scripts/build.sh "${BUILD_ARGS[@]}" "$BUILD_DIR" -- "${CMAKE_ARGS[@]}" \
    >"$OUT/build.log" 2>&1; then
    BUILD=ok
  else
    echo "build failed; from $OUT/build.log:"
    grep -E "error|Error" "$OUT/build.log" | head -n 20
    tail -n 30 "$OUT/build.log"
  fi
fi
BUILD_S=$(($(elapsed) - BUILD_START))
echo "build: $BUILD (${BUILD_S} s)"

# --- golden tests on the device ----------------------------------------------------------------
TESTS="not run"
TESTS_START=$(elapsed)
if wanted tests && [ -x "$BUILD_DIR/dlmeval_torch_tests" ]; then
  echo "== torch golden tests on $DEVICE"
  FILTER='*Golden*:ForwardBf16.*:*SamplerBf16Smoke.*:*ChoiceMonteCarlo*'
  DLMEVAL_TEST_DEVICE=$DEVICE timeout "$(limit 90 30)" "$BUILD_DIR/dlmeval_torch_tests" --gtest_filter="$FILTER" \
    --gtest_output=json:"$OUT/tests.json" >"$OUT/tests.log" 2>&1
  rc=$?
  passed=$(grep -oE '^\[  PASSED  \] [0-9]+' "$OUT/tests.log" | grep -oE '[0-9]+$')
  failed=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$OUT/tests.log" | grep -oE '[0-9]+')
  TESTS="${passed:-0} passed, ${failed:-0} failed (exit $rc)"
  grep -E '^\[  FAILED  \] [^0-9]|bf16 sampler|models on' "$OUT/tests.log"
  [ "$rc" -ne 0 ] && tail -n 30 "$OUT/tests.log"
fi
TESTS_S=$(($(elapsed) - TESTS_START))
echo "tests: $TESTS (${TESTS_S} s)"

# --- benchmark -----------------------------------------------------------------------------------
BENCH="not run"
BENCH_START=$(elapsed)
if wanted bench && [ -x "$BUILD_DIR/dlmeval_gpu_bench" ]; then
  # What is left, less the model's creation, the forward pass and the output (about a minute).
  budget=$(limit 60 20)
  [ "$budget" -gt 170 ] && budget=170
  args=(--device "$DEVICE" --budget-s "$budget" --json "$OUT/gpu_bench.json")
  [ "$DEVICE" = cpu ] && args+=(--small)
  echo "== dlmeval_gpu_bench ${args[*]} ${BENCH_ARGS:-}"
  # shellcheck disable=SC2086
  timeout $((budget + 90)) "$BUILD_DIR/dlmeval_gpu_bench" "${args[@]}" ${BENCH_ARGS:-} >"$OUT/bench.log" 2>&1
  rc=$?
  BENCH=$([ "$rc" -eq 0 ] && echo ok || echo "failed (exit $rc)")
  grep -vE '^\|' "$OUT/bench.log" | tail -n 25
fi
BENCH_S=$(($(elapsed) - BENCH_START))

# --- summary (the table last) --------------------------------------------------------------------
{
  echo "## dlmeval GPU job: ${GPU_NAME:-no GPU}, $TORCH_DESC, models on $DEVICE"
  echo
  echo "build: $BUILD (${BUILD_S} s); tests: $TESTS (${TESTS_S} s); benchmark: $BENCH (${BENCH_S} s); total $(elapsed) s"
  echo
  [ -f "$OUT/bench.log" ] && grep -E '^\|' "$OUT/bench.log"
} >"$OUT/summary.md"
echo
cat "$OUT/summary.md"
! wanted build || [ "$BUILD" = ok ] || exit 1
! wanted tests || [[ "$TESTS" == *" 0 failed (exit 0)" ]] || exit 1
! wanted bench || [ "$BENCH" = ok ]
