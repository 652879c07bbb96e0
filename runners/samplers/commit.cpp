#include "runners/samplers/commit.h"

#include <algorithm>
#include <limits>

namespace dlmeval {

torch::Tensor commit_fixed_count(const torch::Tensor& confidence, const torch::Tensor& counts) {
  auto transfer = torch::zeros_like(confidence, torch::kBool);
  auto c = counts.to(torch::kCPU).to(torch::kLong).contiguous();
  const int64_t rows = confidence.size(0);
  const int64_t* k = c.data_ptr<int64_t>();
  // One topk over the whole batch when every row commits the same count (the usual case: equal
  // blocks of masks): torch.topk picks each row's indices independently, so the same positions.
  if (rows > 0 && std::all_of(k, k + rows, [&](int64_t v) { return v == k[0]; })) {
    if (k[0] > 0) transfer.scatter_(1, std::get<1>(confidence.topk(k[0])), true);
    return transfer;
  }
  for (int64_t row = 0; row < rows; ++row) {
    if (k[row] <= 0) continue;
    auto chosen = std::get<1>(confidence[row].topk(k[row]));
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
