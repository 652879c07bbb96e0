#include "harness/core/blas_env.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace dlmeval {

const char* detect_openblas_coretype() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    if (line.find(" avx512f") != std::string::npos) return "SkylakeX";
    if (line.find(" avx2") != std::string::npos) return "Haswell";
    return "";
  }
  return "";
}

void ensure_blas_coretype(int argc, char** argv) {
  (void)argc;
  if (std::getenv("DLMEVAL_NO_REEXEC") != nullptr) return;
  bool changed = false;
  const char* core = detect_openblas_coretype();
  if (std::getenv("OPENBLAS_CORETYPE") == nullptr && core[0] != '\0') {
    setenv("OPENBLAS_CORETYPE", core, 1);
    changed = true;
  }
  // OpenMP workers spin while they wait by default; when other processes share the cores (parallel
  // tests, shard jobs) that spinning made small-model runs up to 100x slower.
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    changed = true;
  }
  if (!changed) return;
  execv("/proc/self/exe", argv);
  // execv only returns on failure: carry on with the default detection.
}

}  // namespace dlmeval
