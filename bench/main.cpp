#include <benchmark/benchmark.h>

#include "harness/core/omp_env.h"
#include "runners/host_memory.h"

int main(int argc, char** argv) {
  dlmeval::ensure_passive_omp_wait(argv);
  dlmeval::keep_freed_host_memory();  // as load_model does for every dlmeval command
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
