#pragma once
// The limits every request is checked against before any model work, each failure one line and
// exit 2: the checkpoint's maximum sequence length, and a batch whose estimated activations exceed
// what the device has free (runners/io/memory_estimate.h), saying what would fit.
#include <cstdint>
#include <string>

#include "runners/model.h"
#include "runners/samplers/generation_protocol.h"

namespace dlmeval {

// A canvas longer than the checkpoint was trained for would either fail deep inside LibTorch (an
// allocation of hundreds of GB) or decode positions the model never saw. `maximum` <= 0: no limit.
void check_sequence_length(int64_t prompt_tokens, int64_t generated_tokens, int64_t maximum);
// The same for scoring: the longest context + continuation of one request.
void check_scoring_length(int64_t tokens, int64_t maximum, const std::string& where);

// Free bytes on the model's device, or RuntimeOptions::device_memory_gib when the user set it.
double available_memory_for(const LoadedModel& model);

// `rows` sequences of `tokens` tokens through one forward (`what` names the work in the message).
void check_batch_memory(const LoadedModel& model, int64_t rows, int64_t tokens, bool kv_cache, const std::string& what);

// A generation batch of `rows` prompts padded to `prompt_tokens`, run with `settings`.
void check_generation_memory(const LoadedModel& model, const GenerationSettings& settings, int64_t rows,
                             int64_t prompt_tokens);

// Choice scoring: one row of the request's longest context + continuation must fit.
void check_choice_memory(const LoadedModel& model, int64_t tokens_per_row);

}  // namespace dlmeval
