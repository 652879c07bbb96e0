#pragma once
// Facts about the LibTorch runtime, for manifests and `dlmeval version` (torch-free header).
#include <string>
#include <vector>

namespace dlmeval {

struct CudaDevice {
  std::string name;
  double memory_gib = 0;
  std::string compute_capability;  // "9.0"
};

std::string libtorch_version();
// Whether this binary links LibTorch's CUDA libraries (the DLMEVAL_WITH_CUDA configuration).
bool built_with_cuda();
// The version of the CUDA runtime library loaded ("13.2"), or "" without the CUDA build.
std::string cuda_runtime_version();
bool cuda_available();
std::vector<CudaDevice> cuda_devices();
int torch_threads();
// "mkl", "openblas", ... as LibTorch's build configuration names its BLAS.
std::string blas_backend();
// The widest vector unit ATen's CPU kernels dispatch to here ("AVX512", "AVX2", "DEFAULT").
std::string cpu_capability();
// Whether the CPU computes bf16 natively (AVX-512 BF16 or AMX): bf16 runs are fast only there.
bool cpu_has_native_bf16();
// ATen's own description of its threading (backend, intra-op and inter-op threads, MKL, oneDNN).
std::string parallel_info();

}  // namespace dlmeval
