#include "runners/runtime_info.h"

#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <fstream>
#include <sstream>

#if DLMEVAL_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace dlmeval {

std::string libtorch_version() { return TORCH_VERSION; }

bool built_with_cuda() {
#if DLMEVAL_WITH_CUDA
  return true;
#else
  return false;
#endif
}

std::string cuda_runtime_version() {
#if DLMEVAL_WITH_CUDA
  // The runtime library loaded, which may be newer than the headers compiled against.
  int version = 0;
  if (cudaRuntimeGetVersion(&version) != cudaSuccess) version = CUDART_VERSION;
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
#else
  return "";
#endif
}

bool cuda_available() { return torch::cuda::is_available(); }

std::vector<CudaDevice> cuda_devices() {
  std::vector<CudaDevice> out;
#if DLMEVAL_WITH_CUDA
  if (!cuda_available()) return out;
  for (int i = 0; i < static_cast<int>(torch::cuda::device_count()); ++i) {
    cudaDeviceProp props{};
    if (cudaGetDeviceProperties(&props, i) != cudaSuccess) continue;
    out.push_back({props.name, static_cast<double>(props.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0),
                   std::to_string(props.major) + "." + std::to_string(props.minor)});
  }
#endif
  return out;
}

int torch_threads() { return torch::get_num_threads(); }

std::string blas_backend() {
  // show_config() lists the build settings as "KEY=value, " pairs, BLAS_INFO among them.
  const std::string config = at::show_config();
  const std::string key = "BLAS_INFO=";
  const auto at = config.find(key);
  if (at == std::string::npos) return "unknown";
  const auto end = config.find_first_of(", \n", at + key.size());
  return config.substr(at + key.size(), end - at - key.size());
}

std::string cpu_capability() { return at::get_cpu_capability(); }

bool cpu_has_native_bf16() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    return line.find(" avx512_bf16") != std::string::npos || line.find(" amx_bf16") != std::string::npos;
  }
  return false;
}

std::string parallel_info() { return at::get_parallel_info(); }

}  // namespace dlmeval
