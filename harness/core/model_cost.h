#pragma once
// What a request's share of the model's work was, counted where the work happens (the
// Transformer's forward entry points), so that every sampler and estimator is measured the same
// way. The FLOPs estimate is stated in results/README.md ("Cost accounting").
#include <cstdint>

#include "harness/core/json_io.h"

namespace dlmeval {

struct ModelCost {
  int64_t rows = 0;             // sequence rows run through the network (guidance doubles them)
  int64_t tokens_computed = 0;  // positions whose hidden states were computed, padding included
  int64_t tokens_cached = 0;    // positions attended to from a KV cache instead of being recomputed
  int64_t head_tokens = 0;      // positions projected through the LM head
  double flops = 0;             // estimated multiply-adds x 2 of those positions
  double model_seconds = 0;     // wall time inside the network's forward calls
  int64_t peak_memory_bytes = 0;  // the device allocator's peak during the batch; 0 = not reported (CPU)

  // Sums the counters; the peak is the larger of the two.
  ModelCost& operator+=(const ModelCost& other);
  // After minus before (counters only; the peak is left as it is in `after`).
  static ModelCost difference(const ModelCost& after, const ModelCost& before);
  // One of `n` equal shares: a batched call pads its rows to one width, so each row's share of
  // its tokens and FLOPs is exactly 1/n. The peak belongs to the whole batch and is kept.
  ModelCost share(int64_t n) const;
  Json to_json() const;
  static ModelCost from_json(const Json& j);  // absent fields read as 0
};

}  // namespace dlmeval
