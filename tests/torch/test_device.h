#pragma once
// Where the torch tests run their models: DLMEVAL_TEST_DEVICE (cpu, cuda, cuda:N; default cpu).
// The golden comparisons stay in fp32 on every device; bf16 is only used by the smoke tests that
// ask for it.
#include <cstdlib>
#include <string>

#include "runners/runner.h"

namespace dlmeval::test {

inline std::string device() {
  const char* d = std::getenv("DLMEVAL_TEST_DEVICE");
  return d != nullptr && *d != '\0' ? std::string(d) : std::string("cpu");
}

inline RuntimeOptions runtime_options(const std::string& dtype = "f32") {
  RuntimeOptions options;
  options.device = device();
  options.dtype = dtype;
  return options;
}

}  // namespace dlmeval::test
