#include "runners/runtime_info.h"

#include <torch/torch.h>
#include <torch/version.h>

namespace dlmeval {
std::string libtorch_version() { return TORCH_VERSION; }
bool cuda_available() { return torch::cuda::is_available(); }
int torch_threads() { return torch::get_num_threads(); }
}  // namespace dlmeval
