#include <cstdio>
#include <cstdlib>

#include "harness/command_registry.h"
#include "runners/runtime_info.h"

namespace {
const bool registered = dlmeval::register_command(
    {"version", "Print dlmeval, LibTorch and BLAS settings",
     [](CLI::App&) -> std::function<int()> {
       return [] {
         const char* core = std::getenv("OPENBLAS_CORETYPE");
         std::printf("dlmeval 0.1.0\nLibTorch %s (CUDA %s)\nOPENBLAS_CORETYPE %s\n", dlmeval::libtorch_version().c_str(),
                     dlmeval::cuda_available() ? "available" : "not available", core ? core : "(default)");
         return 0;
       };
     }});
}  // namespace
