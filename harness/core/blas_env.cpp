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
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  if (std::getenv("DLMEVAL_NO_REEXEC") != nullptr) return;
  const char* core = detect_openblas_coretype();
  if (core[0] == '\0') return;
  setenv("OPENBLAS_CORETYPE", core, 1);
  execv("/proc/self/exe", argv);
  // execv only returns on failure: carry on with the default detection.
}

}  // namespace dlmeval
