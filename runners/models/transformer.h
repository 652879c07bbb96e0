#pragma once
// The Transformer shared by LLaDA, iLLaDA and Dream (bidirectional) and the autoregressive
// baselines Qwen2 and LLaMA (causal mask): RMSNorm (computed in fp32), half-split RoPE (fp32,
// Llama 3 scaling), grouped-query attention, SwiGLU MLP. The architectures differ only in names,
// biases, the mask, the padding and position rules and the logit shift, all from ModelConfig.
#include <torch/torch.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/model_cost.h"
#include "runners/io/model_config.h"

namespace dlmeval {

class Checkpoint;

struct LayerWeights {
  torch::Tensor attn_norm, q, k, v, q_bias, k_bias, v_bias, o;
  torch::Tensor mlp_norm, gate, up, down;
};

struct TransformerWeights {
  torch::Tensor embed;  // [V, d]
  std::vector<LayerWeights> layers;
  torch::Tensor final_norm;
  torch::Tensor head;  // [V, d]; the same tensor as `embed` when tied
  std::vector<torch::Tensor> all() const;  // every distinct tensor (for optimisers and counting)
};

// Keys and values of every position, per layer, after RoPE: [B, n_kv_heads, T, head_dim].
struct KVCache {
  std::vector<torch::Tensor> k, v;
  bool empty() const { return k.empty(); }
};

class Transformer {
 public:
  Transformer(ModelConfig config, TransformerWeights weights, torch::Device device, torch::ScalarType dtype);

  // Raw logits [B, T, V] in float32, as the official forward returns them. `attention_mask` is
  // [B, T] (0 = padding), integer or bool. When `record` is given, it is filled with every layer's
  // keys and values so later calls can reuse them.
  torch::Tensor forward(const torch::Tensor& input_ids, const std::optional<torch::Tensor>& attention_mask,
                        KVCache* record = nullptr) const;
  // Logits [B, W, V] for positions [start, start + W) only: their keys and values are recomputed,
  // every other position's come from `cache` (recorded by forward on the full sequence).
  torch::Tensor forward_window(const torch::Tensor& window_ids, int64_t start,
                               const std::optional<torch::Tensor>& attention_mask, const KVCache& cache) const;
  // As forward / forward_window, but only the `head_length` positions from `head_start` (relative
  // to the input) go through the LM head: a sampler that reads one block of the canvas pays for
  // the vocabulary projection of that block alone. The logits of those positions are the ones
  // the full call returns.
  torch::Tensor forward_head_range(const torch::Tensor& input_ids, const std::optional<torch::Tensor>& attention_mask,
                                   int64_t head_start, int64_t head_length, KVCache* record = nullptr) const;
  torch::Tensor forward_window_head_range(const torch::Tensor& window_ids, int64_t start,
                                          const std::optional<torch::Tensor>& attention_mask, const KVCache& cache,
                                          int64_t head_start, int64_t head_length) const;
  // Autoregressive models (config().causal): `ids` [B, W] continue the positions already in
  // `cache` (empty at the start) and `attention_mask` [B, cached + W] covers both (0 = padding;
  // none when nothing is padded). The window's keys and values are appended to `cache`; returns
  // float32 logits [B, L, V] of positions [head_start, head_start + L) of the window (L =
  // head_length, or W - head_start when negative).
  torch::Tensor forward_causal(const torch::Tensor& ids, const std::optional<torch::Tensor>& attention_mask,
                               KVCache& cache, int64_t head_start = 0, int64_t head_length = -1) const;
  // The final normalised hidden states [B, T, d] in the network's dtype: forward without the head,
  // for callers that need the logits of a few positions only (choice scoring).
  // With `keep_length` >= 0 only positions [keep_start, keep_start + keep_length) are returned, and
  // the last layer runs its queries for those alone.
  torch::Tensor hidden_states(const torch::Tensor& input_ids, const std::optional<torch::Tensor>& attention_mask,
                              int64_t keep_start = 0, int64_t keep_length = -1) const;
  // Float32 logits of final hidden states [..., d] (from hidden_states): the LM head alone.
  torch::Tensor head_logits(const torch::Tensor& hidden) const;

  // Everything this network has computed since it was made, counted at the entry points above
  // (rows, positions computed and read from a cache, LM-head positions, FLOPs, seconds). Callers
  // take differences around the work they attribute. Not thread-safe, like the network itself.
  const ModelCost& work() const { return work_; }

  const ModelConfig& config() const { return config_; }
  torch::Device device() const { return device_; }
  torch::ScalarType dtype() const { return dtype_; }
  TransformerWeights& weights() { return weights_; }
  const TransformerWeights& weights() const { return weights_; }

 private:
  // Rows of the window whose final states are returned (length -1: all of them).
  struct OutputRows {
    int64_t start = 0, length = -1;
  };
  // Final normalised hidden states of the kept rows of the window; the entry points apply the head.
  torch::Tensor run(const torch::Tensor& ids, int64_t start, const std::optional<torch::Tensor>& mask,
                    KVCache* record, const KVCache* reuse, OutputRows kept, bool append = false) const;
  torch::Tensor head(const torch::Tensor& hidden) const;
  torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight) const;
  // RoPE tables [P, 1, W, head_dim] in fp32 for `positions` [P, W] (float32).
  struct RopeTables {
    torch::Tensor cos, sin;
  };
  RopeTables rope_tables(const torch::Tensor& positions) const;
  // The tables of positions start..start+W-1, kept across calls: a sampler asks for the same
  // canvas every step, and the tables cost a dozen small operations per forward.
  const RopeTables& consecutive_rope_tables(int64_t start, int64_t W) const;

  ModelConfig config_;
  TransformerWeights weights_;
  torch::Device device_;
  torch::ScalarType dtype_;
  mutable ModelCost work_;
  torch::Tensor inv_freq_;  // RoPE inverse frequencies [head_dim / 2], fp32
  mutable std::map<std::pair<int64_t, int64_t>, RopeTables> rope_cache_;
};

// The network's work while `body` runs, with the device allocator's peak over it (CUDA only).
ModelCost work_during(const Transformer& net, const std::function<void()>& body);

// Loads weights from a checkpoint (validated) onto `device` in `dtype`.
TransformerWeights load_weights(const Checkpoint& checkpoint, torch::Device device, torch::ScalarType dtype);
// Assembles the network from tensors named as the checkpoint format of `config` names them
// (`get` returns each one on its device, in its dtype). Shared by load_weights and by callers that
// make a checkpoint's tensors in memory (benchmarks of full-size shapes).
TransformerWeights weights_from_named(const ModelConfig& config,
                                      const std::function<torch::Tensor(const std::string&)>& get);
// Random weights for a config (benchmarks, training from scratch); deterministic from `seed`.
TransformerWeights random_weights(const ModelConfig& config, uint64_t seed, torch::Device device, torch::ScalarType dtype);

}  // namespace dlmeval
