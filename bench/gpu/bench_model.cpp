#include "bench/gpu/bench_model.h"

#include <cmath>
#include <map>

namespace dlmeval::gpubench {
namespace {

Json llada_config(int64_t d_model, int64_t layers, int64_t heads, int64_t kv_heads, int64_t mlp, int64_t vocab) {
  // Keys and values as LLaDA-8B's config.json writes them.
  return {{"architectures", {"LLaDAModelLM"}},
          {"model_type", "llada"},
          {"activation_type", "silu"},
          {"block_type", "llama"},
          {"layer_norm_type", "rms"},
          {"d_model", d_model},
          {"n_layers", layers},
          {"n_heads", heads},
          {"n_kv_heads", kv_heads},
          {"mlp_hidden_size", mlp},
          {"mlp_ratio", 4},
          {"vocab_size", vocab},
          {"embedding_size", vocab},
          {"weight_tying", true},
          {"rope", true},
          {"rope_theta", 500000.0},
          {"rope_full_precision", true},
          {"rms_norm_eps", 1e-5},
          {"max_sequence_length", 4096},
          {"include_bias", false},
          {"include_qkv_bias", false},
          {"scale_logits", false},
          {"input_emb_norm", false},
          {"attention_layer_norm", false},
          {"alibi", false},
          {"mask_token_id", vocab - 1},
          {"eos_token_id", vocab - 2},
          {"pad_token_id", vocab - 2},
          {"bos_token_id", vocab - 4},
          {"torch_dtype", "bfloat16"}};
}

}  // namespace

Json illada_8b_config_json() { return llada_config(4096, 32, 32, 8, 14336, 155136); }

Json small_config_json() { return llada_config(256, 2, 8, 2, 704, 4096); }

SpecialIds bench_special_ids(const ModelConfig& config) {
  SpecialIds ids;
  ids.mask_id = config.mask_token_id;
  ids.eos_id = config.eos_token_id;
  ids.eot_id = config.vocab_size - 3;  // placeholder end-of-turn id, next to EOS
  ids.pad_id = config.pad_token_id;
  ids.bos_id = config.bos_token_id;
  return ids;
}

std::shared_ptr<Transformer> random_transformer(const ModelConfig& config, torch::Device device, torch::ScalarType dtype,
                                                uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);  // seeds the CPU and every CUDA generator
  const auto options = torch::dtype(dtype).device(device);
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& t : config.expected_tensors()) {
    if (t.shape.size() == 1) {
      tensors[t.name] = torch::ones(t.shape, options);
    } else {
      const double fan_in = static_cast<double>(t.shape.back());
      tensors[t.name] = torch::randn(t.shape, options).mul_(1.0 / std::sqrt(fan_in));
    }
  }
  auto weights = weights_from_named(config, [&](const std::string& name) { return tensors.at(name); });
  return std::make_shared<Transformer>(config, std::move(weights), device, dtype);
}

}  // namespace dlmeval::gpubench
