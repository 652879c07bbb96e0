#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>

#include "harness/core/omp_env.h"
#include "test_device.h"

int main(int argc, char** argv) {
  dlmeval::ensure_passive_omp_wait(argv);
  torch::set_num_threads(1);  // ctest runs tests in parallel; more threads only oversubscribe the cores
  // The fp32 goldens hold to 1e-4; TF32 matrix products (10-bit mantissa) on a GPU would not.
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);
  const std::string device = dlmeval::test::device();
  if (device != "cpu") {
    if (!torch::cuda::is_available()) {
      std::fprintf(stderr, "DLMEVAL_TEST_DEVICE=%s but this LibTorch or machine has no CUDA device\n", device.c_str());
      return 2;
    }
    std::printf("torch tests: models on %s (fp32 goldens with TF32 off)\n", device.c_str());
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
