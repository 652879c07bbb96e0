#pragma once
// Scoring the choices of multiple-choice questions with a masked diffusion model: Monte-Carlo
// bounds on log p(continuation | context) and confidence-based scores (see README.md in this
// folder for what each estimator's number means). LibTorch-free header: the runner and the
// harness call it with plain requests.
#include <cstdint>
#include <vector>

#include "runners/choice/choice_protocol.h"
#include "runners/runner.h"

namespace dlmeval {

struct LoadedModel;

// How the work is laid out; never changes what is estimated, only how fast (and fp32 rounding).
struct ScoringOptions {
  int64_t max_tokens_per_forward = 16384;  // rows x padded length per model call
  int64_t max_rows_per_forward = 0;        // 0 = no limit besides the token budget
  bool share_identical_rows = true;        // run each distinct input sequence once
  bool batch_continuations = true;         // all continuations of a question in the same forwards
};

// One result per request, in order. Each request is scored on its own (its numbers never depend
// on the other requests), with all its continuations and Monte-Carlo rows batched together.
// The protocol of each request goes through normalize_choice_protocol; every random draw comes
// from CPU generators seeded from the request's seed. UserError for bad ids or shapes. An
// autoregressive checkpoint is scored by ar_loglik.h instead (estimator ar_loglik only).
std::vector<ChoiceResult> score_choice_requests(const LoadedModel& model, const std::vector<ChoiceRequest>& requests,
                                                const ScoringOptions& options = {});

// One (prompt, answer) pair, as continuation 0 of a one-choice request.
struct PairEstimate {
  double loglik = 0;
  double stderr_of_loglik = 0;  // 0 for deterministic estimators; NaN when a single row was drawn
  int64_t forward_passes = 0;
  std::vector<double> samples;  // per Monte-Carlo group (stratified rows), log-likelihood scale
};
PairEstimate estimate_pair(const LoadedModel& model, const TokenIds& prompt, const TokenIds& answer,
                           const Json& protocol, uint64_t seed, const ScoringOptions& options = {});

// f_k = (L/k) * mean over |S| = k of sum_{i in S} CE_i for k = 1..L, every subset S of answer
// positions enumerated (L <= kExactElboMaxTokens). exact_elbo = -(1/L) sum_k f_k; the official
// estimator's expectation = -sum_x P(count = x) f_x (official_mask_count_distribution).
std::vector<double> exact_weighted_loss_per_k(const LoadedModel& model, const TokenIds& prompt, const TokenIds& answer,
                                              double cfg_scale);

}  // namespace dlmeval
