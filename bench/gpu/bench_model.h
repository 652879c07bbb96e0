#pragma once
// The model the GPU benchmark runs: an iLLaDA-8B-shaped LLaDAModelLM described by a config.json
// in the real format (parsed by the project's own parser), with random weights made directly on
// the target device in the compute dtype, named and shaped as a real checkpoint's tensors.
#include <torch/torch.h>

#include <memory>

#include "runners/io/model_config.h"
#include "runners/models/transformer.h"
#include "runners/runner.h"

namespace dlmeval::gpubench {

// config.json of the 8B shape: 32 layers, d_model 4096, 32 heads, 8 KV heads, MLP 14336,
// vocabulary 155136, tied embeddings. The special ids are placeholders at the top of the
// vocabulary (random weights give them no meaning).
Json illada_8b_config_json();
// The same family at a size that runs in seconds on a CPU (`--small`).
Json small_config_json();

// Special ids of a bench config (pad = EOS, as in LLaDA).
SpecialIds bench_special_ids(const ModelConfig& config);

// Random weights drawn on `device` in `dtype` (no fp32 or host copy): norms 1, every matrix
// N(0, 1/fan_in). The tied embedding uses the same scale, so logits have standard deviation about 1:
// flat distributions, as an untrained model has.
std::shared_ptr<Transformer> random_transformer(const ModelConfig& config, torch::Device device, torch::ScalarType dtype,
                                                uint64_t seed);

}  // namespace dlmeval::gpubench
