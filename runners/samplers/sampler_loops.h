#pragma once
// The decoding loops behind generate_tokens (internal to the samplers folder).
#include <torch/torch.h>

#include <optional>
#include <vector>

#include "runners/models/transformer.h"
#include "runners/samplers/sampler.h"

namespace dlmeval {

// llada, llada_threshold, llada_prefix_cache, llada_dual_cache: a fixed canvas decoded block by block.
SamplerOutput run_llada_blocks(const Transformer& net, const GenerationSettings& s, const torch::Tensor& prompt,
                               const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                               const StopRule* stop, const StepCallback* callback);
// illada_varlen: the canvas grows one block at a time.
SamplerOutput run_illada_varlen(const Transformer& net, const GenerationSettings& s, const torch::Tensor& prompt,
                                const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                                const StopRule* stop, const StepCallback* callback);
// ar: one token per call from a growing KV cache (causal models).
SamplerOutput run_autoregressive(const Transformer& net, const GenerationSettings& s, const torch::Tensor& prompt,
                                 const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                                 const StopRule* stop, const StepCallback* callback);
// Marks rows whose kept output is settled by the committed tokens of positions [P, end) (an
// EOS/EOT when the protocol stops there, or `stop`); true when every row is.
bool all_settled(const torch::Tensor& x, int64_t P, int64_t end, const GenerationSettings& s, const StopRule* stop,
                 std::vector<bool>& done);
// dream: the whole canvas on the timestep schedule.
SamplerOutput run_dream(const Transformer& net, const GenerationSettings& s, const torch::Tensor& prompt,
                        const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                        const StepCallback* callback);

}  // namespace dlmeval
