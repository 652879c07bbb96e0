#!/usr/bin/env bash
# Fuzzes every libFuzzer target (or those named) for RUNS executions each (default 10^6), stopping a
# target after MAX_SECONDS (default 1800); an input over 1 s is a hang, over 4 GB a blow-up. Not part
# of CI's time budget (CI runs each target once over its corpus: scripts/sanitize.sh).
#
#   scripts/fuzz.sh [RUNS] [TARGET...]
# Environment: BUILD_DIR (default build-sanitize, built by scripts/sanitize.sh or here), JOBS
# (targets fuzzed at once, default 1), MAX_SECONDS, HANG_SECONDS (default 1; raise it when the
# machine is busy with other work, or slow inputs show up as false hangs), DLMEVAL_SHARED_DIR
# (default ../shared).
# Prints one line per target: executions, seconds, corpus size, findings; a finding's input is in
# BUILD_DIR/fuzz-findings/<target>/ (copy it to tests/fuzz/regressions/<target>/ once fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}
[ $# -gt 0 ] && shift
BUILD_DIR=${BUILD_DIR:-build-sanitize}
MAX_SECONDS=${MAX_SECONDS:-1800}
HANG_SECONDS=${HANG_SECONDS:-1}
SHARED=${DLMEVAL_SHARED_DIR:-$(cd .. && pwd)/shared}
if [ ! -d "$BUILD_DIR" ] || ! ls "$BUILD_DIR"/fuzz_* >/dev/null 2>&1; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DDLMEVAL_TORCH_FREE_ONLY=ON -DDLMEVAL_SANITIZE=ON -DDLMEVAL_FUZZ=ON -DDLMEVAL_BUILD_BENCH=OFF
  cmake --build "$BUILD_DIR" -j "$(nproc)"
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for t in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$t" .cpp)"); done
fi
export RUNS MAX_SECONDS HANG_SECONDS SHARED BUILD_DIR
fuzz_one() {
  local t=$1 work="$BUILD_DIR/fuzz-work/$1" findings="$BUILD_DIR/fuzz-findings/$1" log="$BUILD_DIR/fuzz-logs/$1.log"
  mkdir -p "$work" "$findings" "$(dirname "$log")"
  /usr/bin/python3 tests/fuzz/seed_corpus.py "$t" "$work" . "$SHARED" > /dev/null
  [ -d "tests/fuzz/regressions/$t" ] && cp -n "tests/fuzz/regressions/$t"/* "$work"/ 2>/dev/null || true
  local start=$SECONDS status=0
  DLMEVAL_SHARED_DIR=$SHARED ASAN_OPTIONS=detect_leaks=1 "$BUILD_DIR/$t" "$work" -runs="$RUNS" \
    -max_total_time="$MAX_SECONDS" -timeout="$HANG_SECONDS" -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$findings/" > "$log" 2>&1 || status=$?
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  printf '%-26s executions %-9s seconds %-5s corpus %-6s findings %s%s\n' "$t" "${execs:-?}" \
    "$((SECONDS - start))" "$(ls "$work" | wc -l)" "$(ls "$findings" | wc -l)" \
    "$([ $status -ne 0 ] && echo " (exit $status, see $log)")"
}
export -f fuzz_one
printf '%s\n' "${targets[@]}" | xargs -P "${JOBS:-1}" -I{} bash -c 'fuzz_one {}'
