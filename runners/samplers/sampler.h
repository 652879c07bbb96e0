#pragma once
// The generation entry point: one protocol (JSON, see generation_protocol.h) applied to a batch
// of left-padded prompts. A sampler is a composition of a transfer schedule (schedule.h), a
// confidence rule (proposals.h), a commit policy (commit.h) and a cache policy (logit_source.h).
#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>

#include "harness/core/json_io.h"
#include "runners/samplers/generation_protocol.h"
#include "runners/samplers/stop_strings.h"

namespace dlmeval {

struct LoadedModel;
class Transformer;
struct ModelConfig;

struct SamplerOutput {
  torch::Tensor sequences;  // [B, P + G] int64 on the CPU: prompt then the generated canvas
  int64_t prompt_length = 0;  // P
  int64_t forward_passes = 0;  // model calls (a guided call on the doubled batch counts once)
  // Generated ids [B, G]. After an early exit, positions of blocks never decoded hold mask_id.
  torch::Tensor generated() const { return sequences.narrow(1, prompt_length, sequences.size(1) - prompt_length); }
};

struct StepInfo {
  int64_t block = 0;  // block index (0 for Dream)
  int64_t step = 0;   // step within the block
  int64_t forward_passes = 0;
  const torch::Tensor& sequences;  // the canvas after this step's commits
};
using StepCallback = std::function<void(const StepInfo&)>;

// `prompt_ids` [B, P] int64, left-padded; `attention_mask` [B, P] (0 = padding) or none, as the
// reference functions take them. Every random draw comes from one CPU generator seeded with `seed`
// (mt19937, the same stream as `torch.manual_seed(seed)`).
SamplerOutput generate_tokens(const LoadedModel& model, const torch::Tensor& prompt_ids,
                              const std::optional<torch::Tensor>& attention_mask, const Json& protocol, uint64_t seed,
                              const StopRule* stop = nullptr, const StepCallback* callback = nullptr);

// UserError (prefixed with `where`) unless the sampler decodes this architecture: Dream's sampler
// Dream, the autoregressive one a causal model, the LLaDA family LLaDA / iLLaDA.
void check_sampler_fits(const GenerationSettings& settings, const ModelConfig& config, const std::string& where);

// The same on an already parsed protocol, a bare network and a caller-owned generator.
SamplerOutput generate_tokens(const Transformer& net, const GenerationSettings& settings, const torch::Tensor& prompt_ids,
                              const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                              const StopRule* stop = nullptr, const StepCallback* callback = nullptr);

}  // namespace dlmeval
