#include "runners/samplers/commit.h"

#include <limits>

namespace dlmeval {

torch::Tensor commit_fixed_count(const torch::Tensor& confidence, const torch::Tensor& counts) {
  auto transfer = torch::zeros_like(confidence, torch::kBool);
  auto c = counts.to(torch::kCPU).to(torch::kLong);
  for (int64_t row = 0; row < confidence.size(0); ++row) {
    const int64_t k = c[row].item<int64_t>();
    if (k <= 0) continue;
    auto chosen = std::get<1>(confidence[row].topk(k));
    transfer[row].index_fill_(0, chosen, true);
  }
  return transfer;
}

torch::Tensor commit_threshold(const torch::Tensor& confidence, double threshold) {
  const double neg_inf = -std::numeric_limits<double>::infinity();
  auto candidate = confidence > neg_inf;
  auto transfer = (confidence >= threshold) & candidate;
  auto best = confidence.argmax(-1, /*keepdim=*/true);
  auto has_candidate = candidate.any(-1, /*keepdim=*/true);
  auto best_mask = torch::zeros_like(transfer).scatter(-1, best, has_candidate);
  return transfer | best_mask;
}

}  // namespace dlmeval
