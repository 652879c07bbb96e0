#include "runners/device.h"
#include "runners/runner.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <string>

#if DLMEVAL_WITH_CUDA
// c10's CUDA headers and the CUDA runtime's: ATen/cuda/CUDAContext.h would also need the cuBLAS
// and cuSPARSE headers, which a toolkit trimmed to the compiler and runtime may lack.
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
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

namespace {
// cgroup v2 limit minus usage, or infinity when there is none.
double cgroup_headroom_bytes() {
  std::ifstream max_file("/sys/fs/cgroup/memory.max"), current_file("/sys/fs/cgroup/memory.current");
  std::string max_text;
  double current = 0;
  if (!(max_file >> max_text) || max_text == "max" || !(current_file >> current))
    return std::numeric_limits<double>::infinity();
  return std::max(0.0, std::stod(max_text) - current);
}

double mem_available_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024.0;
  return std::numeric_limits<double>::infinity();  // no way to tell: never refuse on a guess
}
}  // namespace

double available_memory_bytes(torch::Device device) {
#if DLMEVAL_WITH_CUDA
  if (device.is_cuda()) {
    size_t free_bytes = 0, total_bytes = 0;
    const auto index = index_of(device);
    c10::cuda::CUDAGuard guard(index);
    if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) return std::numeric_limits<double>::infinity();
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(index);
    const double cached = static_cast<double>(stats.reserved_bytes[0].current - stats.allocated_bytes[0].current);
    return static_cast<double>(free_bytes) + std::max(0.0, cached);
  }
#endif
  if (device.is_cpu()) return std::min(mem_available_bytes(), cgroup_headroom_bytes());
  return std::numeric_limits<double>::infinity();
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

int cuda_device_count() { return static_cast<int>(torch::cuda::device_count()); }

}  // namespace dlmeval
