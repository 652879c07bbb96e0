#pragma once
// lm-eval's `loglikelihood` for autoregressive models (lm_eval/models/huggingface.py,
// _loglikelihood_tokens): the input is (context + continuation) without its last token, cut to the
// model's length from the left; the score is the sum of the continuation tokens' log-probabilities
// at the positions that predict them, and `is_greedy` says whether each was the argmax. An empty
// context is replaced by one prefix token (the BOS id, else EOS; lm-eval's prefix_token_id), or by
// the continuation's first token when that is the prefix token. LibTorch-free header.
#include <vector>

#include "runners/runner.h"

namespace dlmeval {

struct LoadedModel;

// One result per request; all continuations of a question run in one right-padded forward (their
// scores do not depend on the padding: a causal row never sees the positions after it).
std::vector<ChoiceResult> score_autoregressive_choices(const LoadedModel& model,
                                                       const std::vector<ChoiceRequest>& requests);

}  // namespace dlmeval
