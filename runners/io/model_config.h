#pragma once
// The architecture of a checkpoint, read from its config.json. LLaDA and iLLaDA share one
// family (LLaDAModelLM); Dream is Qwen2-shaped; the autoregressive baselines (Qwen2ForCausalLM,
// LlamaForCausalLM) are the same Transformer under a causal mask. Everything the forward pass
// needs is here, so the model code never looks at raw config keys.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

enum class Architecture { LLaDA, Dream, Qwen2, Llama };

// Llama 3.1's `rope_scaling` ({"rope_type": "llama3", ...}): long wavelengths are divided by
// `factor`, short ones kept, the band between interpolated (transformers'
// _compute_llama3_parameters).
struct RopeScaling {
  double factor = 1.0, low_freq_factor = 1.0, high_freq_factor = 4.0;
  double original_max_position_embeddings = 8192;
};

struct ModelConfig {
  Architecture architecture = Architecture::LLaDA;
  std::string architecture_name;  // as written in config.json
  int64_t d_model = 0;
  int64_t n_layers = 0;
  int64_t n_heads = 0;
  int64_t n_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t mlp_hidden = 0;
  int64_t vocab_size = 0;  // rows of the embedding and of the LM head (LLaDA: embedding_size)
  double rope_theta = 10000.0;
  double rms_eps = 1e-5;
  bool tied_embeddings = false;
  bool qkv_bias = false;
  // Dream is initialised from an autoregressive model: the token at j is read from output j-1.
  bool shifted_logits = false;
  // Autoregressive: each position attends to itself and the positions before it, and positions
  // count real tokens only (a left-padded row starts at 0 after its padding).
  bool causal = false;
  std::optional<RopeScaling> rope_scaling;
  int64_t max_sequence_length = 0;
  // Ids from config.json (-1 when absent).
  int64_t mask_token_id = -1, eos_token_id = -1, pad_token_id = -1, bos_token_id = -1;
  Json raw;

  struct ExpectedTensor {
    std::string name;
    std::vector<int64_t> shape;
  };
  // Every tensor the checkpoint must hold, with its shape.
  std::vector<ExpectedTensor> expected_tensors() const;
  int64_t parameter_count() const;
};

// The FLOPs estimate of one row (results/README.md, "Cost accounting"; 2 per multiply-add):
// `computed` positions whose layers run while attending to `attended` keys each, of which only
// `kept` (all when negative) run the last layer past its keys and values, and `head` positions
// through the LM head.
double forward_flops(const ModelConfig& config, int64_t computed, int64_t attended, int64_t head, int64_t kept = -1);

// Parses `<dir>/config.json` (or a JSON value); UserError naming the file and key on any problem,
// including an unknown architecture.
ModelConfig parse_model_config(const Json& config, const std::string& where);
ModelConfig load_model_config(const std::string& checkpoint_dir);

}  // namespace dlmeval
