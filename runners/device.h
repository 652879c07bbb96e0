#pragma once
// What runs ask of a device beyond tensors: waiting for queued work, the caching
// allocator's peak, the device's name and memory, and recognising an out-of-memory error. The CUDA
// parts are compiled only with DLMEVAL_WITH_CUDA (a CUDA LibTorch); elsewhere they report nothing.
#include <torch/torch.h>

#include <exception>
#include <optional>
#include <string>

namespace dlmeval {

struct DeviceDescription {
  std::string name;                      // e.g. "NVIDIA H100 80GB HBM3", or "cpu"
  std::optional<double> total_memory_gib;  // the device's memory; none on the CPU
};

// Blocks until every kernel queued on `device` has finished (no-op on the CPU), so a host clock
// read afterwards measures the device's work.
void synchronize(torch::Device device);
DeviceDescription describe(torch::Device device);
// Starts a new peak-memory window on `device`.
void reset_peak_memory(torch::Device device);
// Peak bytes held by tensors since the last reset, in GiB; none on the CPU or without the CUDA build.
std::optional<double> peak_memory_gib(torch::Device device);
// Bytes a new allocation can still get on `device`: on the CPU the kernel's MemAvailable, capped
// by a cgroup memory limit; on a GPU the driver's free memory plus the caching allocator's
// reserved but unused blocks.
double available_memory_bytes(torch::Device device);
// Returns cached, unused blocks to the driver (after an out-of-memory error).
void release_cached_memory(torch::Device device);
// The caching allocator's out-of-memory error, or a library's (cuBLAS, cuDNN) failure to allocate.
bool is_out_of_memory(const std::exception& error);
// The first line of an error's message (LibTorch appends a backtrace).
std::string first_line(const std::exception& error);

}  // namespace dlmeval
