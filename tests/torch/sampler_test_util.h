#pragma once
// Shared helpers of the sampler tests: golden checkpoints loaded once, JSON arrays as tensors.
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>

#include "golden_paths.h"
#include "harness/core/json_io.h"
#include "runners/model.h"
#include "test_device.h"

namespace dlmeval::test {

inline std::shared_ptr<LoadedModel> golden_model(const std::string& name) {
  static std::map<std::string, std::shared_ptr<LoadedModel>> loaded;
  auto& m = loaded[name];
  if (!m) {
    RuntimeOptions options = runtime_options();
    options.threads = 1;
    m = load_model(checkpoint(name), options);
  }
  return m;
}

inline torch::Tensor matrix(const Json& rows) {
  std::vector<int64_t> flat;
  for (const auto& row : rows)
    for (const auto& x : row) flat.push_back(x.get<int64_t>());
  return torch::tensor(flat, torch::kLong).view({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())});
}

inline std::vector<std::vector<int64_t>> rows_of(const torch::Tensor& m) {
  std::vector<std::vector<int64_t>> out;
  auto c = m.to(torch::kCPU).contiguous();
  for (int64_t b = 0; b < c.size(0); ++b) {
    const int64_t* p = c[b].data_ptr<int64_t>();
    out.emplace_back(p, p + c.size(1));
  }
  return out;
}

}  // namespace dlmeval::test
