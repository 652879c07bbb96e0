#pragma once
// A bit-exact copy of CPython's `random.Random` for the two calls lm-evaluation-harness uses to
// draw few-shot exemplars: seeding from an integer and `sample(population, k)`. Reproducing the
// exact draw lets a dlmeval prompt match an lm-eval prompt byte for byte.
//
// CPython seeds its Mersenne Twister with init_by_array over the integer's 32-bit words (not with
// init_genrand as std::mt19937 does), and turns raw words into indices with getrandbits-based
// rejection sampling, so std::mt19937 + std::uniform_int_distribution cannot be used directly.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dlmeval {

class PythonRandom {
 public:
  // random.Random(seed) for a non-negative integer seed.
  explicit PythonRandom(uint64_t seed);

  // random.getrandbits(k) for 1 <= k <= 32.
  uint32_t getrandbits(int k);
  // random._randbelow(n) for n >= 1: uniform in [0, n).
  uint64_t randbelow(uint64_t n);
  // Indices chosen by random.sample(range(n), k), in draw order (k <= n).
  std::vector<size_t> sample_indices(size_t n, size_t k);

 private:
  uint32_t next_word();
  void init_genrand(uint32_t s);

  static constexpr int kN = 624;
  std::array<uint32_t, kN> state_{};
  int index_ = kN;
};

}  // namespace dlmeval
