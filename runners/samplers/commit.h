#pragma once
// Commit policies: which proposed tokens become final at a step. Confidence is [B, W] with -inf
// at positions that are not candidates.
#include <torch/torch.h>

namespace dlmeval {

// The `counts[b]` most confident positions of each row (torch.topk per row, as the references).
torch::Tensor commit_fixed_count(const torch::Tensor& confidence, const torch::Tensor& counts);

// Every candidate whose confidence is >= `threshold`, and at least the most confident candidate
// of each row that has one (Fast-dLLM's parallel decoding rule).
torch::Tensor commit_threshold(const torch::Tensor& confidence, double threshold);

}  // namespace dlmeval
