#include "harness/core/omp_env.h"

#include <unistd.h>

#include <cstdlib>

namespace dlmeval {

void ensure_passive_omp_wait(char** argv) {
  if (std::getenv("DLMEVAL_NO_REEXEC") != nullptr || std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);
  // execv only returns on failure: carry on with the default policy.
}

void passive_omp_wait_for_children() { setenv("OMP_WAIT_POLICY", "PASSIVE", 0); }

}  // namespace dlmeval
