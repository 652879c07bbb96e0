#pragma once
// The decoding loops behind generate_tokens (internal to the samplers folder).
#include <torch/torch.h>

#include <optional>

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
// dream: the whole canvas on the timestep schedule.
SamplerOutput run_dream(const Transformer& net, const GenerationSettings& s, const torch::Tensor& prompt,
                        const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                        const StepCallback* callback);

}  // namespace dlmeval
