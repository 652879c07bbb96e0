#include "runners/io/model_config.h"

#include <filesystem>

#include "harness/core/error.h"

namespace dlmeval {
namespace {

int64_t require_int(const Json& j, const std::string& key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_number_integer())
    throw UserError(where + ": config key '" + key + "' must be an integer");
  int64_t v = j[key].get<int64_t>();
  if (v <= 0) throw UserError(where + ": config key '" + key + "' must be positive, got " + std::to_string(v));
  return v;
}

int64_t optional_id(const Json& j, const std::string& key) {
  if (j.contains(key) && j[key].is_number_integer()) return j[key].get<int64_t>();
  return -1;
}

double optional_number(const Json& j, const std::string& key, double fallback) {
  if (j.contains(key) && j[key].is_number()) return j[key].get<double>();
  return fallback;
}

bool optional_bool(const Json& j, const std::string& key, bool fallback) {
  if (j.contains(key) && j[key].is_boolean()) return j[key].get<bool>();
  return fallback;
}

std::string architecture_of(const Json& j) {
  if (j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty() &&
      j["architectures"][0].is_string())
    return j["architectures"][0].get<std::string>();
  if (j.contains("model_type") && j["model_type"].is_string()) return j["model_type"].get<std::string>();
  return "";
}

ModelConfig parse_llada(const Json& j, const std::string& where) {
  ModelConfig c;
  c.architecture = Architecture::LLaDA;
  c.d_model = require_int(j, "d_model", where);
  c.n_layers = require_int(j, "n_layers", where);
  c.n_heads = require_int(j, "n_heads", where);
  if (j.contains("n_kv_heads") && !j["n_kv_heads"].is_null()) c.n_kv_heads = require_int(j, "n_kv_heads", where);
  else if (optional_bool(j, "multi_query_attention", false)) c.n_kv_heads = 1;
  else c.n_kv_heads = c.n_heads;
  if (j.contains("mlp_hidden_size") && !j["mlp_hidden_size"].is_null()) {
    c.mlp_hidden = require_int(j, "mlp_hidden_size", where);
  } else {
    c.mlp_hidden = static_cast<int64_t>(optional_number(j, "mlp_ratio", 4.0) * static_cast<double>(c.d_model));
  }
  if (j.contains("embedding_size") && !j["embedding_size"].is_null()) c.vocab_size = require_int(j, "embedding_size", where);
  else c.vocab_size = require_int(j, "vocab_size", where);
  c.rope_theta = optional_number(j, "rope_theta", 10000.0);
  c.rms_eps = optional_number(j, "rms_norm_eps", 1e-5);
  c.tied_embeddings = optional_bool(j, "weight_tying", false);
  c.qkv_bias = optional_bool(j, "include_bias", false) || optional_bool(j, "include_qkv_bias", false);
  c.max_sequence_length = j.contains("max_sequence_length") && j["max_sequence_length"].is_number_integer()
                              ? j["max_sequence_length"].get<int64_t>() : 4096;
  // Options this implementation does not compute must be refused, not silently ignored.
  if (optional_bool(j, "alibi", false)) throw UserError(where + ": 'alibi' attention is not supported");
  if (j.contains("rope") && !optional_bool(j, "rope", true)) throw UserError(where + ": models without RoPE are not supported");
  if (optional_bool(j, "scale_logits", false)) throw UserError(where + ": 'scale_logits' is not supported");
  if (optional_bool(j, "input_emb_norm", false)) throw UserError(where + ": 'input_emb_norm' is not supported");
  if (optional_bool(j, "attention_layer_norm", false)) throw UserError(where + ": 'attention_layer_norm' is not supported");
  if (j.contains("block_type") && j["block_type"] != "llama")
    throw UserError(where + ": block_type " + j["block_type"].dump() + " is not supported (only \"llama\")");
  if (j.contains("layer_norm_type") && j["layer_norm_type"] != "rms")
    throw UserError(where + ": layer_norm_type " + j["layer_norm_type"].dump() + " is not supported (only \"rms\")");
  if (c.qkv_bias) throw UserError(where + ": LLaDA checkpoints with biases are not supported");
  return c;
}

std::optional<RopeScaling> parse_rope_scaling(const Json& r, const std::string& where) {
  if (!r.is_object()) throw UserError(where + ": 'rope_scaling' must be an object or null");
  const Json& named = r.contains("rope_type") ? r["rope_type"] : r.contains("type") ? r["type"] : Json();
  const std::string type = named.is_string() ? named.get<std::string>() : "";
  if (type == "default") return std::nullopt;
  if (type != "llama3")
    throw UserError(where + ": rope_scaling of type '" + type + "' is not supported (only llama3)");
  RopeScaling s;
  for (const char* key : {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"})
    if (!r.contains(key) || !r[key].is_number()) throw UserError(where + ": rope_scaling needs a number '" + key + "'");
  s.factor = r["factor"].get<double>();
  s.low_freq_factor = r["low_freq_factor"].get<double>();
  s.high_freq_factor = r["high_freq_factor"].get<double>();
  s.original_max_position_embeddings = r["original_max_position_embeddings"].get<double>();
  if (s.factor <= 0 || s.low_freq_factor <= 0 || s.high_freq_factor <= s.low_freq_factor ||
      s.original_max_position_embeddings <= 0)
    throw UserError(where + ": rope_scaling values out of range");
  return s;
}

// Dream, Qwen2 and LLaMA: the Hugging Face decoder layout (model.layers.N.self_attn...).
ModelConfig parse_hf_decoder(const Json& j, const std::string& where, Architecture arch) {
  ModelConfig c;
  c.architecture = arch;
  c.d_model = require_int(j, "hidden_size", where);
  c.n_layers = require_int(j, "num_hidden_layers", where);
  c.n_heads = require_int(j, "num_attention_heads", where);
  c.n_kv_heads = j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()
                     ? require_int(j, "num_key_value_heads", where) : c.n_heads;
  c.mlp_hidden = require_int(j, "intermediate_size", where);
  c.vocab_size = require_int(j, "vocab_size", where);
  c.rope_theta = optional_number(j, "rope_theta", 10000.0);
  c.rms_eps = optional_number(j, "rms_norm_eps", 1e-6);
  c.tied_embeddings = optional_bool(j, "tie_word_embeddings", false);
  // Qwen2 (and Dream) always carry q/k/v biases; LLaMA only with attention_bias.
  c.qkv_bias = arch != Architecture::Llama || optional_bool(j, "attention_bias", false);
  c.shifted_logits = arch == Architecture::Dream;
  c.causal = arch != Architecture::Dream;
  c.max_sequence_length = j.contains("max_position_embeddings") && j["max_position_embeddings"].is_number_integer()
                              ? j["max_position_embeddings"].get<int64_t>() : 4096;
  if (j.contains("rope_scaling") && !j["rope_scaling"].is_null()) {
    if (arch != Architecture::Llama) throw UserError(where + ": 'rope_scaling' is not supported");
    c.rope_scaling = parse_rope_scaling(j["rope_scaling"], where);
  }
  if (optional_bool(j, "use_sliding_window", false))
    throw UserError(where + ": 'use_sliding_window' is not supported");
  if (optional_bool(j, "mlp_bias", false)) throw UserError(where + ": 'mlp_bias' is not supported");
  if (j.contains("hidden_act") && j["hidden_act"] != "silu")
    throw UserError(where + ": hidden_act " + j["hidden_act"].dump() + " is not supported (only \"silu\")");
  if (j.contains("head_dim") && j["head_dim"].is_number_integer() &&
      j["head_dim"].get<int64_t>() * c.n_heads != c.d_model)
    throw UserError(where + ": head_dim x heads must equal hidden_size");
  return c;
}

}  // namespace

ModelConfig parse_model_config(const Json& j, const std::string& where) {
  if (!j.is_object()) throw UserError(where + ": config is not a JSON object");
  std::string arch = architecture_of(j);
  ModelConfig c;
  if (arch == "LLaDAModelLM" || arch == "llada" || arch == "LLaDAModel") c = parse_llada(j, where);
  else if (arch == "DreamModel" || arch == "Dream") c = parse_hf_decoder(j, where, Architecture::Dream);
  else if (arch == "Qwen2ForCausalLM" || arch == "qwen2") c = parse_hf_decoder(j, where, Architecture::Qwen2);
  else if (arch == "LlamaForCausalLM" || arch == "llama") c = parse_hf_decoder(j, where, Architecture::Llama);
  else
    throw UserError(where + ": unknown architecture '" + arch +
                    "' (supported: LLaDAModelLM for LLaDA/iLLaDA, DreamModel for Dream, Qwen2ForCausalLM and "
                    "LlamaForCausalLM as autoregressive baselines)");
  c.architecture_name = arch;
  if (c.d_model % c.n_heads != 0)
    throw UserError(where + ": hidden size " + std::to_string(c.d_model) + " is not divisible by " +
                    std::to_string(c.n_heads) + " heads");
  if (c.n_heads % c.n_kv_heads != 0)
    throw UserError(where + ": " + std::to_string(c.n_heads) + " heads are not a multiple of " +
                    std::to_string(c.n_kv_heads) + " key/value heads");
  c.head_dim = c.d_model / c.n_heads;
  if (c.head_dim % 2 != 0) throw UserError(where + ": head dimension must be even for RoPE");
  c.mask_token_id = optional_id(j, "mask_token_id");
  c.eos_token_id = optional_id(j, "eos_token_id");
  c.pad_token_id = optional_id(j, "pad_token_id");
  c.bos_token_id = optional_id(j, "bos_token_id");
  c.raw = j;
  return c;
}

ModelConfig load_model_config(const std::string& dir) {
  std::string path = (std::filesystem::path(dir) / "config.json").string();
  if (!std::filesystem::exists(path)) throw UserError(dir + ": not a checkpoint folder (config.json missing)");
  return parse_model_config(read_json_file(path), path);
}

std::vector<ModelConfig::ExpectedTensor> ModelConfig::expected_tensors() const {
  std::vector<ExpectedTensor> out;
  const int64_t d = d_model, kv = n_kv_heads * head_dim, h = mlp_hidden, v = vocab_size;
  if (architecture == Architecture::LLaDA) {
    out.push_back({"model.transformer.wte.weight", {v, d}});
    for (int64_t i = 0; i < n_layers; ++i) {
      std::string p = "model.transformer.blocks." + std::to_string(i) + ".";
      out.push_back({p + "attn_norm.weight", {d}});
      out.push_back({p + "q_proj.weight", {d, d}});
      out.push_back({p + "k_proj.weight", {kv, d}});
      out.push_back({p + "v_proj.weight", {kv, d}});
      out.push_back({p + "attn_out.weight", {d, d}});
      out.push_back({p + "ff_norm.weight", {d}});
      out.push_back({p + "ff_proj.weight", {h, d}});
      out.push_back({p + "up_proj.weight", {h, d}});
      out.push_back({p + "ff_out.weight", {d, h}});
    }
    out.push_back({"model.transformer.ln_f.weight", {d}});
    if (!tied_embeddings) out.push_back({"model.transformer.ff_out.weight", {v, d}});
  } else {
    out.push_back({"model.embed_tokens.weight", {v, d}});
    for (int64_t i = 0; i < n_layers; ++i) {
      std::string p = "model.layers." + std::to_string(i) + ".";
      out.push_back({p + "input_layernorm.weight", {d}});
      out.push_back({p + "self_attn.q_proj.weight", {d, d}});
      out.push_back({p + "self_attn.k_proj.weight", {kv, d}});
      out.push_back({p + "self_attn.v_proj.weight", {kv, d}});
      if (qkv_bias) {
        out.push_back({p + "self_attn.q_proj.bias", {d}});
        out.push_back({p + "self_attn.k_proj.bias", {kv}});
        out.push_back({p + "self_attn.v_proj.bias", {kv}});
      }
      out.push_back({p + "self_attn.o_proj.weight", {d, d}});
      out.push_back({p + "post_attention_layernorm.weight", {d}});
      out.push_back({p + "mlp.gate_proj.weight", {h, d}});
      out.push_back({p + "mlp.up_proj.weight", {h, d}});
      out.push_back({p + "mlp.down_proj.weight", {d, h}});
    }
    out.push_back({"model.norm.weight", {d}});
    if (!tied_embeddings) out.push_back({"lm_head.weight", {v, d}});
  }
  return out;
}

int64_t ModelConfig::parameter_count() const {
  int64_t total = 0;
  for (const auto& t : expected_tensors()) {
    int64_t n = 1;
    for (int64_t s : t.shape) n *= s;
    total += n;
  }
  return total;
}

double forward_flops(const ModelConfig& c, int64_t computed, int64_t attended, int64_t head, int64_t kept) {
  const double d = static_cast<double>(c.d_model), q = static_cast<double>(c.n_heads * c.head_dim),
               kv = static_cast<double>(c.n_kv_heads * c.head_dim), ffn = static_cast<double>(c.mlp_hidden);
  // Per position and layer: the q, k, v and output projections and the three SwiGLU matrices,
  // then scores and weighted values over every attended key.
  const double key_value = 2.0 * (2.0 * d * kv);
  const double linear = key_value + 2.0 * (d * q + q * d + 3.0 * d * ffn);
  const double attention = 4.0 * static_cast<double>(attended) * q;
  const double dropped = kept < 0 ? 0.0 : static_cast<double>(computed - kept);
  return static_cast<double>(c.n_layers) * static_cast<double>(computed) * (linear + attention) -
         (c.n_layers > 0 ? dropped * (linear - key_value + attention) : 0.0) +
         2.0 * d * static_cast<double>(c.vocab_size) * static_cast<double>(head);
}

}  // namespace dlmeval
