#include "runners/device.h"

#include <algorithm>

#if DLMEVAL_WITH_CUDA
// c10's CUDA headers and the CUDA runtime's: ATen/cuda/CUDAContext.h would also need the cuBLAS
// and cuSPARSE headers, which a toolkit trimmed to the compiler and runtime may lack.
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <cuda_runtime_api.h>
#endif

namespace dlmeval {

#if DLMEVAL_WITH_CUDA
namespace {
c10::DeviceIndex index_of(torch::Device device) {
  return device.has_index() ? device.index() : c10::cuda::current_device();
}
}  // namespace
#endif

void synchronize(torch::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.has_index() ? device.index() : -1);
}

DeviceDescription describe(torch::Device device) {
  DeviceDescription d;
  d.name = device.str();
#if DLMEVAL_WITH_CUDA
  cudaDeviceProp props{};
  if (device.is_cuda() && cudaGetDeviceProperties(&props, index_of(device)) == cudaSuccess) {
    d.name = props.name;
    d.total_memory_gib = static_cast<double>(props.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0);
  }
#endif
  return d;
}

void reset_peak_memory([[maybe_unused]] torch::Device device) {
#if DLMEVAL_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(index_of(device));
#endif
}

std::optional<double> peak_memory_gib([[maybe_unused]] torch::Device device) {
#if DLMEVAL_WITH_CUDA
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(index_of(device));
    // Index 0 of each statistic is the aggregate over pool types (StatType::AGGREGATE).
    return static_cast<double>(stats.allocated_bytes[0].peak) / (1024.0 * 1024.0 * 1024.0);
  }
#endif
  return std::nullopt;
}

void release_cached_memory([[maybe_unused]] torch::Device device) {
#if DLMEVAL_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
}

bool is_out_of_memory(const std::exception& error) {
  if (dynamic_cast<const c10::OutOfMemoryError*>(&error) != nullptr) return true;
  // Other allocation paths report a plain c10::Error with the library's message.
  const std::string what = error.what();
  for (const char* sign : {"out of memory", "CUBLAS_STATUS_ALLOC_FAILED", "CUDNN_STATUS_ALLOC_FAILED"})
    if (what.find(sign) != std::string::npos) return true;
  return false;
}

std::string first_line(const std::exception& error) {
  const std::string what = error.what();
  return what.substr(0, std::min(what.find('\n'), static_cast<size_t>(160)));
}

}  // namespace dlmeval
