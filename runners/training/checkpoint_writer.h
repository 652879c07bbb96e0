#pragma once
// Writing a trained model as a Hugging Face LLaDA checkpoint folder: config.json (the keys of
// LLaDA's configuration_llada.py), model.safetensors (LLaDA tensor names, float32),
// tokenizer.json and tokenizer_config.json.
#include <cstdint>
#include <string>

#include "harness/core/json_io.h"
#include "runners/models/transformer.h"
#include "runners/training/bpe_trainer.h"

namespace dlmeval {

struct LladaShape {
  int64_t d_model = 0, n_layers = 0, n_heads = 0, mlp_hidden = 0, vocab_size = 0, max_sequence_length = 0;
  double rope_theta = 10000.0;
};

// A LLaDAModelLM config.json; the special ids come from the tokenizer (pad = eos, as in LLaDA).
Json llada_config_json(const LladaShape& shape, const BpeTokenizerFiles& tokenizer);

// Writes every file of the folder (creating it). `weights` must match `config` (LLaDA layout).
void write_llada_checkpoint(const std::string& dir, const ModelConfig& config, const TransformerWeights& weights,
                            const BpeTokenizerFiles& tokenizer);

}  // namespace dlmeval
