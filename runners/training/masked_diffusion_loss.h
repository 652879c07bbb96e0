#pragma once
// The masked-diffusion training loss of LLaDA on one batch (see trainer.h for the forms).
#include <torch/torch.h>

#include "runners/models/transformer.h"

namespace dlmeval {

struct DiffusionBatch {
  torch::Tensor ids;       // [B, T] int64, clean tokens (padding holds any id)
  torch::Tensor real;      // [B, T] bool, false on padding (hidden from attention, never masked)
  torch::Tensor maskable;  // [B, T] bool, the tokens the forward process may mask (a subset of real)
};

struct DiffusionLoss {
  torch::Tensor loss;      // scalar: sum over masked tokens of CE / t, divided by the maskable token count
  int64_t masked_tokens = 0;
};

// One draw of the forward process and the loss. t is stratified over the batch (t_b =
// (u + b) / B, so the batch covers (0, 1] evenly; each t_b is still uniform), floored at `min_t`
// so the 1/t weight stays bounded. All randomness comes from `generator`.
DiffusionLoss masked_diffusion_loss(const Transformer& net, const DiffusionBatch& batch, int64_t mask_id,
                                    at::Generator& generator, double min_t = 1e-3);

}  // namespace dlmeval
