#pragma once
// How many answer tokens each row of a Monte-Carlo group masks. LibTorch-free: plain integer and
// float32 arithmetic, so the counts are the same on every machine.
#include <cstdint>
#include <vector>

namespace dlmeval {

// LLaDA's forward_process for a group of `rows` rows, answer length `length`, draw k in 1..length:
//   x = round(linspace(k, k + (rows - 1) * length / rows, rows))  (float32, round half to even)
//   x = ((x - 1) mod length) + 1
// The end point is formed as torch forms it (float32(k) + float32 of the double offset) and the
// points as torch's scalar linspace kernel does (start + step*i below the halfway index, end -
// step*(rows-1-i) from it on). Round-half-to-even makes the per-row counts non-uniform.
std::vector<int64_t> official_mask_counts(int64_t k, int64_t length, int64_t rows);

// The exact distribution of one row's mask count under the official scheme (k uniform in
// 1..length, the row uniform among `rows`): entry x-1 is P(count = x).
std::vector<double> official_mask_count_distribution(int64_t length, int64_t rows);

// Exactly uniform stratification: draw m uniform in 0..length*rows-1; row i masks
//   1 + floor(((m + i*length) mod (length*rows)) / rows)
// tokens, so every row's count is uniform on 1..length and the group spreads over the range.
std::vector<int64_t> uniform_mask_counts(int64_t m, int64_t length, int64_t rows);

}  // namespace dlmeval
