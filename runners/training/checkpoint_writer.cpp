#include "runners/training/checkpoint_writer.h"

#include <filesystem>

#include "harness/core/error.h"
#include "runners/tensor_file.h"

namespace dlmeval {

Json llada_config_json(const LladaShape& s, const BpeTokenizerFiles& tokenizer) {
  return Json{{"activation_type", "silu"},
              {"alibi", false},
              {"alibi_bias_max", 8.0},
              {"architectures", Json::array({"LLaDAModelLM"})},
              {"attention_dropout", 0.0},
              {"attention_layer_norm", false},
              {"attention_layer_norm_with_affine", true},
              {"bias_for_layer_norm", false},
              {"block_group_size", 1},
              {"block_type", "llama"},
              {"d_model", s.d_model},
              {"embedding_dropout", 0.0},
              {"embedding_size", s.vocab_size},
              {"eos_token_id", tokenizer.eos_id},
              {"flash_attention", false},
              {"include_bias", false},
              {"include_qkv_bias", false},
              {"init_cutoff_factor", nullptr},
              {"init_device", "cpu"},
              {"init_fn", "mitchell"},
              {"init_std", 0.02},
              {"input_emb_norm", false},
              {"layer_norm_type", "rms"},
              {"layer_norm_with_affine", true},
              {"mask_token_id", tokenizer.mask_id},
              {"max_sequence_length", s.max_sequence_length},
              {"mlp_hidden_size", s.mlp_hidden},
              {"mlp_ratio", 4},
              {"model_type", "llada"},
              {"multi_query_attention", nullptr},
              {"n_heads", s.n_heads},
              {"n_kv_heads", s.n_heads},
              {"n_layers", s.n_layers},
              {"pad_token_id", tokenizer.eos_id},
              {"precision", "fp32"},
              {"residual_dropout", 0.0},
              {"rms_norm_eps", 1e-05},
              {"rope", true},
              {"rope_full_precision", true},
              {"rope_theta", s.rope_theta},
              {"scale_logits", false},
              {"torch_dtype", "float32"},
              {"use_cache", false},
              {"vocab_size", s.vocab_size},
              {"weight_tying", false}};
}

void write_llada_checkpoint(const std::string& dir, const ModelConfig& config, const TransformerWeights& weights,
                            const BpeTokenizerFiles& tokenizer) {
  if (config.architecture != Architecture::LLaDA || config.tied_embeddings) {
    throw std::logic_error("write_llada_checkpoint: only untied LLaDA models are written");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError(dir + ": cannot create the checkpoint folder: " + ec.message());
  const std::filesystem::path root(dir);
  std::map<std::string, torch::Tensor> tensors;
  auto put = [&](const std::string& name, const torch::Tensor& t) {
    tensors[name] = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  };
  put("model.transformer.wte.weight", weights.embed);
  for (size_t i = 0; i < weights.layers.size(); ++i) {
    const LayerWeights& L = weights.layers[i];
    const std::string p = "model.transformer.blocks." + std::to_string(i) + ".";
    put(p + "attn_norm.weight", L.attn_norm);
    put(p + "q_proj.weight", L.q);
    put(p + "k_proj.weight", L.k);
    put(p + "v_proj.weight", L.v);
    put(p + "attn_out.weight", L.o);
    put(p + "ff_norm.weight", L.mlp_norm);
    put(p + "ff_proj.weight", L.gate);
    put(p + "up_proj.weight", L.up);
    put(p + "ff_out.weight", L.down);
  }
  put("model.transformer.ln_f.weight", weights.final_norm);
  put("model.transformer.ff_out.weight", weights.head);
  write_tensor_file((root / "model.safetensors").string(), tensors);
  write_json_file_atomic((root / "config.json").string(), config.raw);
  write_json_file_atomic((root / "tokenizer.json").string(), tokenizer.tokenizer);
  write_json_file_atomic((root / "tokenizer_config.json").string(), tokenizer.tokenizer_config);
}

}  // namespace dlmeval
