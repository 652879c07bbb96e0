#include "runners/request_limits.h"

#include "harness/core/error.h"
#include "runners/device.h"
#include "runners/io/memory_estimate.h"

namespace dlmeval {

void check_sequence_length(int64_t prompt, int64_t generated, int64_t maximum) {
  if (maximum <= 0 || prompt + generated <= maximum) return;
  throw UserError("prompt (" + std::to_string(prompt) + " tokens) + generation (" + std::to_string(generated) +
                  " tokens) = " + std::to_string(prompt + generated) +
                  " tokens exceeds the checkpoint's maximum sequence length " + std::to_string(maximum) +
                  " (config.json; --max-sequence-length raises it for a model that extrapolates)");
}

void check_scoring_length(int64_t tokens, int64_t maximum, const std::string& where) {
  if (maximum <= 0 || tokens <= maximum) return;
  throw UserError(where + ": context + continuation = " + std::to_string(tokens) +
                  " tokens exceeds the checkpoint's maximum sequence length " + std::to_string(maximum) +
                  " (config.json; --max-sequence-length raises it for a model that extrapolates)");
}

double available_memory_for(const LoadedModel& model) {
  if (model.options.device_memory_gib > 0) return model.options.device_memory_gib * 1024.0 * 1024.0 * 1024.0;
  return available_memory_bytes(model.net->device());
}

void check_batch_memory(const LoadedModel& model, int64_t rows, int64_t tokens, bool kv_cache, const std::string& what) {
  ForwardShape shape;
  shape.rows = rows;
  shape.tokens_per_row = tokens;
  shape.element_bytes = model.options.dtype == "bf16" ? 2 : 4;
  shape.kv_cache = kv_cache;
  check_forward_memory(estimate_forward_memory(model.config, shape), rows, available_memory_for(model), what,
                       model.options.device);
}

void check_generation_memory(const LoadedModel& model, const GenerationSettings& settings, int64_t rows,
                             int64_t prompt_tokens) {
  check_batch_memory(model, rows, prompt_tokens + settings.max_generated_tokens(), settings.cache != CachePolicy::None,
                     "generation batch");
}

void check_choice_memory(const LoadedModel& model, int64_t tokens_per_row) {
  // Rows per forward follow the scorer's token budget, which adapts; one row must fit.
  check_batch_memory(model, 1, tokens_per_row, false, "choice scoring");
}

}  // namespace dlmeval
