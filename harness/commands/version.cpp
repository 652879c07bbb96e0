#include <torch/version.h>

#include <cstdio>

#include "harness/command_registry.h"

namespace {
const bool registered = dlmeval::register_command(
    {"version", "Print dlmeval, LibTorch and BLAS settings",
     [](CLI::App&) -> std::function<int()> {
       return [] {
         const char* core = std::getenv("OPENBLAS_CORETYPE");
         std::printf("dlmeval 0.1.0\nLibTorch %s\nOPENBLAS_CORETYPE %s\n", TORCH_VERSION, core ? core : "(default)");
         return 0;
       };
     }});
}  // namespace
