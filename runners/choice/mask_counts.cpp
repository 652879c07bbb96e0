#include "runners/choice/mask_counts.h"

#include <cmath>
#include <stdexcept>

namespace dlmeval {

std::vector<int64_t> official_mask_counts(int64_t k, int64_t length, int64_t rows) {
  if (length < 1 || rows < 1 || k < 1 || k > length) throw std::invalid_argument("official_mask_counts: bad arguments");
  // torch: `k + (b - 1) * (target_len / b)` is an int64 tensor plus a Python float -> float32.
  // `volatile` pins every intermediate to a float32 value (no FMA contraction, no wider registers).
  const double offset = static_cast<double>(rows - 1) * (static_cast<double>(length) / static_cast<double>(rows));
  const volatile float end = static_cast<float>(k) + static_cast<float>(offset);
  const float start = static_cast<float>(k);
  std::vector<int64_t> counts(rows);
  if (rows == 1) {
    counts[0] = k;  // linspace with one step returns the start
    return counts;
  }
  const volatile float step = (end - start) / static_cast<float>(rows - 1);
  const int64_t halfway = rows / 2;
  for (int64_t i = 0; i < rows; ++i) {
    const volatile float scaled = i < halfway ? step * static_cast<float>(i) : step * static_cast<float>(rows - i - 1);
    const volatile float point = i < halfway ? start + scaled : end - scaled;
    const auto x = static_cast<int64_t>(std::nearbyint(point));  // default rounding mode: half to even
    counts[i] = ((x - 1) % length + length) % length + 1;
  }
  return counts;
}

std::vector<double> official_mask_count_distribution(int64_t length, int64_t rows) {
  std::vector<double> p(length, 0.0);
  for (int64_t k = 1; k <= length; ++k)
    for (int64_t x : official_mask_counts(k, length, rows)) p[x - 1] += 1.0 / static_cast<double>(length * rows);
  return p;
}

std::vector<int64_t> uniform_mask_counts(int64_t m, int64_t length, int64_t rows) {
  if (length < 1 || rows < 1 || m < 0 || m >= length * rows) throw std::invalid_argument("uniform_mask_counts: bad arguments");
  std::vector<int64_t> counts(rows);
  for (int64_t i = 0; i < rows; ++i) counts[i] = 1 + ((m + i * length) % (length * rows)) / rows;
  return counts;
}

}  // namespace dlmeval
