#pragma once
// OpenMP (LibTorch's intra-op threads) reads OMP_WAIT_POLICY once, when the library loads. Its
// default lets idle workers spin a while before they sleep: on cores the process has to itself that
// is the fast choice (llada-tiny's GSM8K protocol at 2 threads: 2.4 s spinning, 7.3 s passive), but
// when other busy processes share the cores (parallel tests, several workers on one node) the
// spinning starves them (two such runs on 2 cores: 17.6 s each spinning, 4.1 s passive). So dlmeval
// keeps OpenMP's default for a process that runs alone and asks for passive waiting only where it
// knows cores are shared: in the workers it starts side by side and in the test binaries. A user's
// own OMP_WAIT_POLICY always wins.
namespace dlmeval {

// Re-execs argv with OMP_WAIT_POLICY=PASSIVE when it is unset; returns normally otherwise.
// For binaries that run beside each other (the test binaries).
void ensure_passive_omp_wait(char** argv);

// Sets OMP_WAIT_POLICY=PASSIVE in this process's environment, unless set, so that the processes it
// starts next to each other inherit it.
void passive_omp_wait_for_children();

}  // namespace dlmeval
