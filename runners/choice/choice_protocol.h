#pragma once
// Choice protocols: how a (context, continuation) pair becomes one log-likelihood score. The JSON
// form is what results record (and fingerprint); ChoiceProtocol is its parsed, validated view.
// LibTorch-free.
#include <cstdint>
#include <string>

#include "harness/core/json_io.h"

namespace dlmeval {

enum class ChoiceEstimator {
  McElbo,         // LLaDA's get_log_likelihood: official stratified mask counts
  McElboUniform,  // the same bound, mask counts stratified exactly uniformly (unbiased)
  DreamElbo,      // Dream: Bernoulli masks at rate (1 - eps) t + eps, t stratified
  ExactElbo,      // every subset of answer positions (deterministic; short answers only)
  ConfSingle,     // mask the whole continuation once: MEAN log-probability of its tokens
  ConfGreedy,     // teacher-forced decoding in the model's confidence order: SUM of log-probabilities
  Letter,         // one masked slot after the context: log-probability of each 1-token continuation
  ArLoglik,       // autoregressive models: lm-eval's loglikelihood (sum of next-token log-probabilities)
};

struct ChoiceProtocol {
  ChoiceEstimator estimator = ChoiceEstimator::McElbo;
  int64_t mc_num = 128;     // Monte-Carlo rows per continuation
  int64_t batch_size = 16;  // rows per stratified group (the reference's rows per forward)
  double cfg_scale = 0.0;   // classifier-free guidance: un + (cfg + 1)(cond - un)
  double eps = 1e-3;        // dream_elbo: smallest mask rate
  bool crn = false;         // common random numbers across the choices of one question
  // dream_elbo: Dream's eval.py scores answer + [EOS] (`whole_enc + [eos_token_id]`) and never
  // masks the sequence's last position, so the EOS is always seen and never scored.
  bool eos_after_answer = false;

  bool stochastic() const {
    return estimator == ChoiceEstimator::McElbo || estimator == ChoiceEstimator::McElboUniform ||
           estimator == ChoiceEstimator::DreamElbo;
  }
};

// The longest answer exact_elbo enumerates (2^12 - 1 masked copies).
inline constexpr int64_t kExactElboMaxTokens = 12;

const char* estimator_name(ChoiceEstimator estimator);

// Fills every default that applies to the chosen estimator and rejects unknown fields, fields
// that do not apply to the estimator and out-of-range values with a UserError naming the field.
// "name" and "description" pass through untouched (they never move a number).
Json normalize_choice_protocol(const Json& protocol);
// normalize_choice_protocol, then the typed view.
ChoiceProtocol parse_choice_protocol(const Json& protocol);

}  // namespace dlmeval
