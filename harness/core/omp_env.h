#pragma once
// OpenMP (LibTorch's intra-op threads) reads OMP_WAIT_POLICY once, when the library loads, so it
// must be in the environment before the process starts. Its default lets idle workers spin; when
// other processes share the cores (parallel tests, shard jobs, two workers on one node) that
// spinning made small-model runs up to 100x slower. ensure_passive_omp_wait() re-executes the
// current binary once with OMP_WAIT_POLICY=PASSIVE unless the user has set the variable.
namespace dlmeval {

// Re-execs argv with OMP_WAIT_POLICY=PASSIVE when it is unset; returns normally otherwise.
void ensure_passive_omp_wait(char** argv);

}  // namespace dlmeval
