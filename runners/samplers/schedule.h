#pragma once
// Transfer schedules: how many masked tokens are committed at each step.
//  - LLaDA (`get_num_transfer_tokens`): the masks of a block spread evenly over its steps, the
//    remainder going to the first steps.
//  - Dream (`_sample`): timesteps t = linspace(1, eps, steps + 1) in float32; step i commits
//    int(mean_masks * (1 - s/t)) tokens, the last step all that remain.
#include <torch/torch.h>

namespace dlmeval {

// [B, steps] int64 from a [B, L] boolean mask of the block's masked positions.
torch::Tensor llada_transfer_counts(const torch::Tensor& block_mask, int64_t steps);

// float32 [steps + 1], exactly torch.linspace(1, eps, steps + 1).
torch::Tensor dream_timesteps(int64_t steps, double eps);
// Tokens committed per row at `step`: `masked_total` masks over `batch` rows (the reference
// averages them in float32).
int64_t dream_transfer_count(int64_t masked_total, int64_t batch, const torch::Tensor& timesteps, int64_t step);
// `origin`'s per-token probability of being decoded at `step`: 1 - s/t in float32, 1 at the last step.
float dream_transfer_probability(const torch::Tensor& timesteps, int64_t step);

}  // namespace dlmeval
