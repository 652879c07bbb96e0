#pragma once
// Batched generation behind the Runner seam (LibTorch-free header). Requests with the same
// normalized protocol are sorted by prompt length and run together in batches, left-padded with
// the pad id under an attention mask; each output is then cut at EOS/EOT and at stop strings.
//
// Same seed, same result: a protocol that draws random numbers (temperature > 0, random
// remasking, Dream `origin`, alg_temp > 0) runs each request alone with a generator seeded from
// that request's seed, so its output never depends on its batch neighbours. Deterministic
// protocols ignore the seed and are batched.
#include <cstddef>
#include <vector>

#include "runners/runner.h"

namespace dlmeval {

struct LoadedModel;

struct GenerationBatchOptions {
  size_t max_batch = 8;  // rows per model call
};

// One result per request, in request order. forward_passes is the number of model calls of the
// batch the request ran in.
std::vector<GenerationResult> generate_requests(const LoadedModel& model, const std::vector<GenerationRequest>& requests,
                                                const GenerationBatchOptions& options = {});

}  // namespace dlmeval
