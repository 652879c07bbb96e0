#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "harness/command_registry.h"
#include "runners/runtime_info.h"

namespace {

void print_version() {
  using namespace dlmeval;
  std::printf("dlmeval 0.1.0\n");
  std::printf("LibTorch %s, %s\n", libtorch_version().c_str(),
              built_with_cuda() ? ("CUDA build (runtime " + cuda_runtime_version() + ")").c_str()
                                : "CPU build (CUDA libraries not linked)");
  const auto devices = cuda_devices();
  if (!built_with_cuda()) {
    std::printf("CUDA: not available (this binary is the CPU build: scripts/build.sh --cuda)\n");
  } else if (devices.empty()) {
    std::printf("CUDA: not available (no device visible)\n");
  } else {
    std::printf("CUDA: %zu device%s\n", devices.size(), devices.size() == 1 ? "" : "s");
    for (size_t i = 0; i < devices.size(); ++i)
      std::printf("  cuda:%zu %s, %.1f GiB, compute capability %s\n", i, devices[i].name.c_str(),
                  devices[i].memory_gib, devices[i].compute_capability.c_str());
  }
  std::printf("CPU kernels: %s; native bf16: %s\n", cpu_capability().c_str(), cpu_has_native_bf16() ? "yes" : "no");
  const char* wait = std::getenv("OMP_WAIT_POLICY");
  std::printf("BLAS: %s; threads: %d intra-op (OMP_WAIT_POLICY=%s)\n", blas_backend().c_str(), torch_threads(),
              wait != nullptr ? wait : "unset");
}

const bool registered = dlmeval::register_command(
    {"version", "Print dlmeval's version and the LibTorch, CUDA, BLAS and thread settings in use",
     [](CLI::App& app) -> std::function<int()> {
       auto verbose = std::make_shared<bool>(false);
       app.add_flag("--parallel-info", *verbose, "also print ATen's full threading description");
       return [verbose] {
         print_version();
         if (*verbose) std::printf("%s", dlmeval::parallel_info().c_str());
         return 0;
       };
     }});
}  // namespace
