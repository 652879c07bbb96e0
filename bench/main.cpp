#include <benchmark/benchmark.h>

#include "runners/host_memory.h"

int main(int argc, char** argv) {
  dlmeval::keep_freed_host_memory();  // as load_model does for every dlmeval command
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
