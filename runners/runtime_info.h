#pragma once
// Facts about the LibTorch runtime, for manifests and `dlmeval version` (torch-free header).
#include <string>

namespace dlmeval {
std::string libtorch_version();
bool cuda_available();
int torch_threads();
}  // namespace dlmeval
