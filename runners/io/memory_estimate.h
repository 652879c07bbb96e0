#pragma once
// How much device memory one forward pass needs beyond the weights, estimated from config.json
// alone, so a batch that cannot fit is refused with one line before any model work instead of
// failing deep inside LibTorch (or swapping the machine to a halt). LibTorch-free.
#include <cstdint>
#include <optional>
#include <string>

#include "runners/io/model_config.h"

namespace dlmeval {

struct ForwardShape {
  int64_t rows = 1;            // sequences in the batch
  int64_t tokens_per_row = 1;  // padded prompt + canvas
  int64_t element_bytes = 4;   // compute dtype: 4 for f32, 2 for bf16
  bool kv_cache = false;       // keys and values of every layer kept between steps (cached samplers)
};

struct MemoryEstimate {
  double per_row_bytes = 0;  // what one more sequence adds
  double total_bytes = 0;    // rows x per_row_bytes
  // The parts of one row, for the message: the widest layer's activations, the attention scores,
  // the fp32 logits and the sampler's full-vocabulary temporaries, and the KV cache.
  double layer_bytes = 0, attention_bytes = 0, logits_bytes = 0, cache_bytes = 0;
};

// Upper estimate of the peak activations of one forward (no gradients): the widest layer's
// tensors (residual, norm, q/k/v, attention output, the MLP's gate/up/product), the attention
// scores as the unfused path materialises them, and three fp32 [tokens, vocab] tensors (logits,
// probabilities, the sampler's gumbel/confidence temporaries).
MemoryEstimate estimate_forward_memory(const ModelConfig& config, const ForwardShape& shape);

// UserError (exit 2, one line) when `estimate` exceeds `available_bytes`: naming the estimate and
// the memory, and either the largest batch that fits or, when even one sequence does not, saying
// so. `what` names the work ("generation batch", "choice scoring forward"), `device` the device.
void check_forward_memory(const MemoryEstimate& estimate, int64_t rows, double available_bytes,
                          const std::string& what, const std::string& device);

std::string format_gib(double bytes);

}  // namespace dlmeval
