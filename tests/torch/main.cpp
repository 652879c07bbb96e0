#include <gtest/gtest.h>
#include <torch/torch.h>

#include "harness/core/blas_env.h"

int main(int argc, char** argv) {
  dlmeval::ensure_blas_coretype(argc, argv);
  torch::set_num_threads(1);  // ctest runs tests in parallel; more threads only oversubscribe the cores
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
