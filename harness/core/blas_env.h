#pragma once
// OpenBLAS 0.3.21 misdetects recent x86 CPUs as Prescott (about 30 GFLOP/s instead of 100+). Its
// core type is read once when the library loads, so it must be in the environment before the
// process starts: ensure_blas_coretype() re-executes the current binary with OPENBLAS_CORETYPE
// set from /proc/cpuinfo (and OMP_WAIT_POLICY=PASSIVE), unless the user already set them.
namespace dlmeval {

// Returns the core type name chosen for this CPU ("SkylakeX", "Haswell" or "" when unknown).
const char* detect_openblas_coretype();
// Re-execs argv with OPENBLAS_CORETYPE set when it is unset; returns normally otherwise.
void ensure_blas_coretype(int argc, char** argv);

}  // namespace dlmeval
