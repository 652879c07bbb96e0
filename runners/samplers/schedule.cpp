#include "runners/samplers/schedule.h"

namespace dlmeval {

torch::Tensor llada_transfer_counts(const torch::Tensor& block_mask, int64_t steps) {
  auto masked = block_mask.to(torch::kCPU).sum(1).to(torch::kLong);
  const int64_t rows = masked.size(0);
  auto counts = torch::empty({rows, steps}, torch::kLong);
  auto m = masked.accessor<int64_t, 1>();
  auto c = counts.accessor<int64_t, 2>();
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t base = m[r] / steps, remainder = m[r] % steps;
    for (int64_t i = 0; i < steps; ++i) c[r][i] = base + (i < remainder ? 1 : 0);
  }
  return counts;
}

torch::Tensor dream_timesteps(int64_t steps, double eps) {
  return torch::linspace(1.0, eps, steps + 1, torch::dtype(torch::kFloat32));
}

namespace {
// 1 - s/t in float32, as the reference evaluates it on 0-d float32 tensors.
float one_minus_ratio(const torch::Tensor& timesteps, int64_t step) {
  const float t = timesteps[step].item<float>(), s = timesteps[step + 1].item<float>();
  const float ratio = s / t;
  return 1.0f - ratio;
}
}  // namespace

int64_t dream_transfer_count(int64_t masked_total, int64_t batch, const torch::Tensor& timesteps, int64_t step) {
  const int64_t steps = timesteps.size(0) - 1;
  const float mean_masks = static_cast<float>(masked_total) / static_cast<float>(batch);
  if (step == steps - 1) return static_cast<int64_t>(mean_masks);
  const float product = mean_masks * one_minus_ratio(timesteps, step);
  return static_cast<int64_t>(product);
}

float dream_transfer_probability(const torch::Tensor& timesteps, int64_t step) {
  const int64_t steps = timesteps.size(0) - 1;
  return step == steps - 1 ? 1.0f : one_minus_ratio(timesteps, step);
}

}  // namespace dlmeval
