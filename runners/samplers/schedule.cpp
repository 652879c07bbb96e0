#include "runners/samplers/schedule.h"

#include <cmath>

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

namespace {
// float32 a * b rounded, then + c rounded: two roundings, never fused into one FMA by the compiler
// (each double operation on two floats is exact or correctly rounded, and the casts stop contraction).
float multiply_then_add(float a, float b, float c) {
  const float product = static_cast<float>(static_cast<double>(a) * static_cast<double>(b));
  return static_cast<float>(static_cast<double>(product) + static_cast<double>(c));
}
}  // namespace

torch::Tensor dream_timesteps(int64_t steps, double eps) {
  // The reference calls torch.linspace(1, eps, steps + 1) in float32, whose last bits depend on the
  // LibTorch build and the CPU: the goldens (torch 1.13, AVX2 kernels) and LibTorch 2.x differ by
  // one ulp at 5 of the 17 points of a 16-step schedule. dlmeval fixes one definition, so that a
  // schedule never moves with the LibTorch version or the device: the goldens' kernel, exactly.
  // Points are computed from the start below the halfway index and from the end above it
  // (start + step * i, end - step * (n - 1 - i)); in blocks of 16 (two 8-wide vectors) each block's
  // first point is such a point (fused multiply-add, as GCC contracts that scalar expression) and
  // the block's others add j * step to it (a separate multiply and add); the tail after the last
  // whole block is all scalar points.
  const int64_t n = steps + 1;
  auto out = torch::empty({n}, torch::dtype(torch::kFloat32));
  auto v = out.accessor<float, 1>();
  const float start = 1.0f, end = static_cast<float>(eps);
  if (n == 1) {
    v[0] = start;
    return out;
  }
  const float step = (end - start) / static_cast<float>(n - 1);
  const int64_t halfway = n / 2;
  auto point = [&](int64_t i) {
    return i < halfway ? std::fma(step, static_cast<float>(i), start)
                       : std::fma(-step, static_cast<float>(n - 1 - i), end);
  };
  constexpr int64_t kVector = 8;
  int64_t i = 0;
  for (; i + 2 * kVector <= n; i += kVector) {
    const float base = point(i);
    for (int64_t j = 0; j < kVector; ++j) v[i + j] = multiply_then_add(static_cast<float>(j), step, base);
    const float second = point(i += kVector);
    for (int64_t j = 0; j < kVector; ++j) v[i + j] = multiply_then_add(static_cast<float>(j), step, second);
  }
  for (; i < n; ++i) v[i] = point(i);
  return out;
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
