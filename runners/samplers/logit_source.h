#pragma once
// The model calls of a LLaDA-family sampler: classifier-free guidance and the cache policy in one
// place, so the decoding loop only asks "logits for this block".
//  - None: every call is a full forward pass; the window is the whole canvas.
//  - Prefix: a full pass at the block's first step records every layer's K/V; later steps
//    recompute the block and everything after it, reusing the prefix's cached K/V.
//  - Dual: as Prefix, but later steps recompute only the block, reusing prefix and suffix.
#include <torch/torch.h>

#include <optional>

#include "runners/models/transformer.h"
#include "runners/samplers/generation_protocol.h"

namespace dlmeval {

class LogitSource {
 public:
  // `attention_mask` is [B, T] for the whole canvas (or none). With cfg_scale > 0 the
  // unconditional copy replaces every `prompt_positions` entry by `mask_id` (the reference masks
  // the prompt including its padding).
  LogitSource(const Transformer& net, std::optional<torch::Tensor> attention_mask, CachePolicy cache, double cfg_scale,
              torch::Tensor prompt_positions, int64_t mask_id);

  struct Window {
    torch::Tensor logits;  // [B, W, V] float32, guidance applied
    int64_t start = 0;     // canvas position of the window's first column
  };
  // Logits of exactly [block_start, block_end). `refresh` (the block's first step) makes a
  // caching source run a full pass and record a new cache.
  Window logits(const torch::Tensor& x, int64_t block_start, int64_t block_end, bool refresh);

  int64_t forward_passes() const { return forward_passes_; }

 private:
  torch::Tensor model_input(const torch::Tensor& x) const;
  torch::Tensor guided(const torch::Tensor& logits) const;

  const Transformer& net_;
  std::optional<torch::Tensor> mask_;  // doubled for guidance
  CachePolicy cache_policy_;
  double cfg_scale_;
  torch::Tensor prompt_positions_;
  int64_t mask_id_;
  KVCache cache_;
  int64_t forward_passes_ = 0;
};

}  // namespace dlmeval
