#include <benchmark/benchmark.h>

#include "harness/core/omp_env.h"

int main(int argc, char** argv) {
  dlmeval::ensure_passive_omp_wait(argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
