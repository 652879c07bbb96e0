#include "runners/models/transformer.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "harness/core/error.h"
#include "runners/checkpoint.h"
#include "runners/device.h"

namespace dlmeval {
namespace {

using torch::indexing::Slice;

// rotate_half of the reference: halves (x1, x2) -> (-x2, x1).
torch::Tensor rotate_half(const torch::Tensor& x) {
  auto halves = x.chunk(2, -1);
  return torch::cat({-halves[1], halves[0]}, -1);
}

double lowest_of(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kBFloat16: return static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest());
    case torch::kFloat16: return static_cast<double>(std::numeric_limits<c10::Half>::lowest());
    default: return static_cast<double>(std::numeric_limits<float>::lowest());
  }
}

// transformers' _compute_llama3_parameters: wavelengths above original / low_freq_factor are
// divided by `factor`, those below original / high_freq_factor kept, the band between blended.
torch::Tensor llama3_scaled(const torch::Tensor& inv_freq, const RopeScaling& r) {
  const double low_wavelen = r.original_max_position_embeddings / r.low_freq_factor;
  const double high_wavelen = r.original_max_position_embeddings / r.high_freq_factor;
  auto wavelen = 2.0 * M_PI / inv_freq;
  auto scaled = torch::where(wavelen > low_wavelen, inv_freq / r.factor, inv_freq);
  auto smooth = (r.original_max_position_embeddings / wavelen - r.low_freq_factor) /
                (r.high_freq_factor - r.low_freq_factor);
  auto blended = (1.0 - smooth) * scaled / r.factor + smooth * scaled;
  auto medium = (wavelen >= high_wavelen) & (wavelen <= low_wavelen);
  return torch::where(medium, blended, scaled);
}

// RoPE's inverse frequencies theta^(-2i/d) in fp32, Llama 3 scaled where the config says so.
torch::Tensor rope_inverse_frequencies(const ModelConfig& c, torch::Device device) {
  const int64_t hd = c.head_dim;
  auto inv_freq =
      1.0 / torch::pow(c.rope_theta, torch::arange(0, hd, 2, torch::dtype(torch::kFloat32).device(device)) / static_cast<double>(hd));
  return c.rope_scaling ? llama3_scaled(inv_freq, *c.rope_scaling) : inv_freq;
}

torch::Tensor project(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  return b.defined() ? torch::nn::functional::linear(x, w, b) : torch::nn::functional::linear(x, w);
}

// Adds the wall time of one entry point to the network's work, after the device has finished it
// (a CUDA kernel queue would otherwise make the time look free).
class ModelTimer {
 public:
  ModelTimer(ModelCost& work, torch::Device device)
      : work_(work), device_(device), started_(std::chrono::steady_clock::now()) {}
  ~ModelTimer() {
    synchronize(device_);
    work_.model_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }
  ModelTimer(const ModelTimer&) = delete;
  ModelTimer& operator=(const ModelTimer&) = delete;

 private:
  ModelCost& work_;
  torch::Device device_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

std::vector<torch::Tensor> TransformerWeights::all() const {
  std::vector<torch::Tensor> out{embed};
  for (const auto& l : layers) {
    for (const auto* t : {&l.attn_norm, &l.q, &l.k, &l.v, &l.q_bias, &l.k_bias, &l.v_bias, &l.o, &l.mlp_norm,
                          &l.gate, &l.up, &l.down})
      if (t->defined()) out.push_back(*t);
  }
  out.push_back(final_norm);
  if (!head.is_same(embed)) out.push_back(head);
  return out;
}

Transformer::Transformer(ModelConfig config, TransformerWeights weights, torch::Device device, torch::ScalarType dtype)
    : config_(std::move(config)),
      weights_(std::move(weights)),
      device_(device),
      dtype_(dtype),
      inv_freq_(rope_inverse_frequencies(config_, device_)) {}

torch::Tensor Transformer::rms_norm(const torch::Tensor& x, const torch::Tensor& weight) const {
  auto xf = x.to(torch::kFloat32);
  auto variance = xf.pow(2).mean(-1, true);
  xf = xf * torch::rsqrt(variance + config_.rms_eps);
  return weight * xf.to(x.scalar_type());
}

torch::Tensor Transformer::forward(const torch::Tensor& input_ids, const std::optional<torch::Tensor>& attention_mask,
                                   KVCache* record) const {
  return forward_head_range(input_ids, attention_mask, 0, input_ids.size(1), record);
}

torch::Tensor Transformer::hidden_states(const torch::Tensor& input_ids, const std::optional<torch::Tensor>& attention_mask,
                                         int64_t keep_start, int64_t keep_length) const {
  ModelTimer timer(work_, device_);
  return run(input_ids, 0, attention_mask, nullptr, nullptr, {keep_start, keep_length});
}

torch::Tensor Transformer::forward_head_range(const torch::Tensor& input_ids,
                                              const std::optional<torch::Tensor>& attention_mask, int64_t head_start,
                                              int64_t head_length, KVCache* record) const {
  ModelTimer timer(work_, device_);
  return head(run(input_ids, 0, attention_mask, record, nullptr, {head_start, head_length}));
}

torch::Tensor Transformer::forward_window_head_range(const torch::Tensor& window_ids, int64_t start,
                                                     const std::optional<torch::Tensor>& attention_mask,
                                                     const KVCache& cache, int64_t head_start, int64_t head_length) const {
  if (cache.empty()) throw std::logic_error("forward_window needs a recorded KV cache");
  ModelTimer timer(work_, device_);
  return head(run(window_ids, start, attention_mask, nullptr, &cache, {head_start, head_length}));
}

torch::Tensor Transformer::forward_causal(const torch::Tensor& ids, const std::optional<torch::Tensor>& attention_mask,
                                          KVCache& cache, int64_t head_start, int64_t head_length) const {
  if (!config_.causal) throw std::logic_error("forward_causal needs a causal model");
  ModelTimer timer(work_, device_);
  const int64_t cached = cache.empty() ? 0 : cache.k[0].size(2);
  if (head_length < 0) head_length = ids.size(1) - head_start;
  return head(run(ids, cached, attention_mask, &cache, cache.empty() ? nullptr : &cache, {head_start, head_length},
                  true));
}

torch::Tensor Transformer::head_logits(const torch::Tensor& hidden) const {
  ModelTimer timer(work_, device_);
  return head(hidden.to(device_, dtype_));
}

torch::Tensor Transformer::head(const torch::Tensor& hidden) const {
  const int64_t positions = hidden.numel() / std::max<int64_t>(1, config_.d_model);
  work_.head_tokens += positions;
  work_.flops += forward_flops(config_, 0, 0, positions);
  return project(hidden, weights_.head, {}).to(torch::kFloat32);
}

ModelCost work_during(const Transformer& net, const std::function<void()>& body) {
  const ModelCost before = net.work();
  reset_peak_memory(net.device());
  body();
  ModelCost spent = ModelCost::difference(net.work(), before);
  if (auto peak = peak_memory_gib(net.device())) spent.peak_memory_bytes = std::llround(*peak * 1024.0 * 1024.0 * 1024.0);
  return spent;
}

torch::Tensor Transformer::forward_window(const torch::Tensor& window_ids, int64_t start,
                                          const std::optional<torch::Tensor>& attention_mask,
                                          const KVCache& cache) const {
  return forward_window_head_range(window_ids, start, attention_mask, cache, 0, window_ids.size(1));
}

torch::Tensor Transformer::run(const torch::Tensor& ids_in, int64_t start, const std::optional<torch::Tensor>& mask_in,
                               KVCache* record, const KVCache* reuse, OutputRows kept, bool append) const {
  const auto& c = config_;
  auto ids = ids_in.to(device_, torch::kLong);
  const int64_t B = ids.size(0), W = ids.size(1);
  // A diffusion cache holds every position (the window is spliced in); an autoregressive one
  // holds the positions before the window (it is appended to).
  const int64_t cached = reuse ? reuse->k[0].size(2) : 0;
  const int64_t T = append ? cached + W : reuse ? cached : W;
  if (append && start != cached) throw std::logic_error("an appended window must start after the cache");
  if (c.causal && reuse && !append) throw std::logic_error("a causal model's cache is only appended to");
  const int64_t H = c.n_heads, KV = c.n_kv_heads, hd = c.head_dim;
  if (kept.length < 0) kept = {0, W};
  if (kept.start < 0 || kept.length < 0 || kept.start + kept.length > W)
    throw std::logic_error("kept output rows lie outside the window");
  const bool prune = kept.length < W;
  work_.rows += B;
  work_.tokens_computed += B * W;
  work_.tokens_cached += B * (T - W);
  work_.flops += static_cast<double>(B) * forward_flops(c, W, T, 0, prune ? kept.length : -1);

  // The reference only applies a mask when it hides something: an all-ones mask equals no mask.
  std::optional<torch::Tensor> key_bias;      // [B,1,1,T] or, causal, [B,1,W,T] additive
  std::optional<torch::Tensor> query_keep;    // [B,1,W,1] (Dream: padding queries output zero)
  std::optional<torch::Tensor> keep;          // [B,T] bool, when some key is padding
  if (mask_in.has_value() && mask_in->defined()) {
    auto k = mask_in->to(device_).to(torch::kBool);
    if (k.size(0) != B || k.size(1) != T)
      throw UserError("attention_mask shape does not match input_ids");
    if (!k.all().item<bool>()) keep = k;
  }
  if (keep) {
    auto pad = (~*keep).to(dtype_);
    key_bias = (pad * lowest_of(dtype_)).view({B, 1, 1, T});
    if (c.architecture == Architecture::Dream)
      query_keep = keep->index({Slice(), Slice(start, start + W)}).view({B, 1, W, 1}).to(dtype_);
  }
  if (c.causal && W > 1) {
    // Query w (absolute start + w) sees keys 0..start + w.
    auto query_at = torch::arange(start, start + W, torch::dtype(torch::kLong).device(device_)).view({W, 1});
    auto later = torch::arange(0, T, torch::dtype(torch::kLong).device(device_)).view({1, T}) > query_at;
    auto causal_bias = (later.to(dtype_) * lowest_of(dtype_)).view({1, 1, W, T});
    key_bias = key_bias ? (*key_bias + causal_bias).clamp_min(lowest_of(dtype_)) : causal_bias;
  }

  // RoPE tables in fp32. Bidirectional models use absolute positions start..start+W-1 (the
  // official code ignores padding); causal ones count real tokens, as transformers' generate()
  // does (position = number of real tokens before it; padding at 0).
  RopeTables counted;
  if (c.causal && keep)
    counted = rope_tables((keep->to(torch::kLong).cumsum(1) - 1).clamp_min(0).narrow(1, start, W).to(torch::kFloat32));
  const RopeTables& tables = counted.cos.defined() ? counted : consecutive_rope_tables(start, W);
  const auto& cos = tables.cos;
  const auto& sin = tables.sin;
  // RoPE on rows [from, from + n) of the window.
  auto rope = [&](const torch::Tensor& t, int64_t from, int64_t n) {
    auto tf = t.to(torch::kFloat32);
    return (tf * cos.narrow(2, from, n) + rotate_half(tf) * sin.narrow(2, from, n)).to(dtype_);
  };
  if (record && record != reuse) {
    record->k.assign(c.n_layers, {});
    record->v.assign(c.n_layers, {});
  }
  auto x = torch::embedding(weights_.embed, ids);
  for (int64_t i = 0; i < c.n_layers; ++i) {
    const auto& L = weights_.layers[i];
    // The last layer's outputs are read only at the kept rows, and no later layer needs the
    // others' keys: every position still gives its keys and values, but queries, attention, the
    // output projection and the MLP run for the kept rows alone. The same rows of the same sums.
    const bool last_pruned = prune && i + 1 == c.n_layers;
    auto h = rms_norm(x, L.attn_norm);
    auto hq = last_pruned ? h.narrow(1, kept.start, kept.length) : h;
    const int64_t Q = hq.size(1);
    auto q = project(hq, L.q, L.q_bias).view({B, Q, H, hd}).transpose(1, 2);
    auto k = project(h, L.k, L.k_bias).view({B, W, KV, hd}).transpose(1, 2);
    auto v = project(h, L.v, L.v_bias).view({B, W, KV, hd}).transpose(1, 2);
    q = rope(q, last_pruned ? kept.start : 0, Q);
    k = rope(k, 0, W);
    if (append && reuse) {
      k = torch::cat({reuse->k[i], k}, 2);
      v = torch::cat({reuse->v[i], v}, 2);
    }
    if (record) {
      record->k[i] = k;
      record->v[i] = v;
    }
    if (reuse && !append) {
      // Splice the fresh window into the cached keys/values of the other positions.
      k = torch::cat({reuse->k[i].index({Slice(), Slice(), Slice(0, start)}), k,
                      reuse->k[i].index({Slice(), Slice(), Slice(start + W, torch::indexing::None)})}, 2);
      v = torch::cat({reuse->v[i].index({Slice(), Slice(), Slice(0, start)}), v,
                      reuse->v[i].index({Slice(), Slice(), Slice(start + W, torch::indexing::None)})}, 2);
    }
    if (KV != H) {
      k = k.repeat_interleave(H / KV, 1);
      v = v.repeat_interleave(H / KV, 1);
    }
    // Fused SDPA (flash / memory-efficient on CUDA, a fused CPU kernel otherwise).
    std::optional<torch::Tensor> bias = key_bias;
    if (last_pruned && bias && bias->size(2) == W && W > 1) bias = bias->narrow(2, kept.start, kept.length);
    auto att = at::scaled_dot_product_attention(q, k, v, bias);
    if (query_keep) att = att * (last_pruned ? query_keep->narrow(2, kept.start, kept.length) : *query_keep);
    att = att.transpose(1, 2).reshape({B, Q, H * hd});
    if (last_pruned) x = x.narrow(1, kept.start, kept.length);
    x = x + project(att, L.o, {});
    auto m = rms_norm(x, L.mlp_norm);
    auto act = torch::silu(project(m, L.gate, {})) * project(m, L.up, {});
    x = x + project(act, L.down, {});
  }
  if (prune && c.n_layers == 0) x = x.narrow(1, kept.start, kept.length);
  return rms_norm(x, weights_.final_norm);
}

Transformer::RopeTables Transformer::rope_tables(const torch::Tensor& positions) const {
  const int64_t hd = config_.head_dim;
  auto freqs = positions.unsqueeze(-1) * inv_freq_.view({1, 1, -1});
  auto emb = torch::cat({freqs, freqs}, -1);
  const int64_t P = positions.size(0), W = positions.size(1);
  return {emb.cos().view({P, 1, W, hd}), emb.sin().view({P, 1, W, hd})};
}

const Transformer::RopeTables& Transformer::consecutive_rope_tables(int64_t start, int64_t W) const {
  const auto key = std::make_pair(start, W);
  auto found = rope_cache_.find(key);
  if (found != rope_cache_.end()) return found->second;
  // Autoregressive decoding asks for a new start every token: keep the cache small.
  if (rope_cache_.size() >= 64) rope_cache_.clear();
  auto positions = torch::arange(start, start + W, torch::dtype(torch::kFloat32).device(device_)).view({1, W});
  return rope_cache_.emplace(key, rope_tables(positions)).first->second;
}

TransformerWeights load_weights(const Checkpoint& ck, torch::Device device, torch::ScalarType dtype) {
  return weights_from_named(ck.config(), [&](const std::string& name) { return ck.load(name, device, dtype); });
}

TransformerWeights weights_from_named(const ModelConfig& c, const std::function<torch::Tensor(const std::string&)>& get) {
  TransformerWeights w;
  if (c.architecture == Architecture::LLaDA) {
    w.embed = get("model.transformer.wte.weight");
    for (int64_t i = 0; i < c.n_layers; ++i) {
      std::string p = "model.transformer.blocks." + std::to_string(i) + ".";
      LayerWeights L;
      L.attn_norm = get(p + "attn_norm.weight");
      L.q = get(p + "q_proj.weight");
      L.k = get(p + "k_proj.weight");
      L.v = get(p + "v_proj.weight");
      L.o = get(p + "attn_out.weight");
      L.mlp_norm = get(p + "ff_norm.weight");
      L.gate = get(p + "ff_proj.weight");
      L.up = get(p + "up_proj.weight");
      L.down = get(p + "ff_out.weight");
      w.layers.push_back(std::move(L));
    }
    w.final_norm = get("model.transformer.ln_f.weight");
    w.head = c.tied_embeddings ? w.embed : get("model.transformer.ff_out.weight");
  } else {
    w.embed = get("model.embed_tokens.weight");
    for (int64_t i = 0; i < c.n_layers; ++i) {
      std::string p = "model.layers." + std::to_string(i) + ".";
      LayerWeights L;
      L.attn_norm = get(p + "input_layernorm.weight");
      L.q = get(p + "self_attn.q_proj.weight");
      L.k = get(p + "self_attn.k_proj.weight");
      L.v = get(p + "self_attn.v_proj.weight");
      if (c.qkv_bias) {
        L.q_bias = get(p + "self_attn.q_proj.bias");
        L.k_bias = get(p + "self_attn.k_proj.bias");
        L.v_bias = get(p + "self_attn.v_proj.bias");
      }
      L.o = get(p + "self_attn.o_proj.weight");
      L.mlp_norm = get(p + "post_attention_layernorm.weight");
      L.gate = get(p + "mlp.gate_proj.weight");
      L.up = get(p + "mlp.up_proj.weight");
      L.down = get(p + "mlp.down_proj.weight");
      w.layers.push_back(std::move(L));
    }
    w.final_norm = get("model.norm.weight");
    w.head = c.tied_embeddings ? w.embed : get("lm_head.weight");
  }
  return w;
}

TransformerWeights random_weights(const ModelConfig& c, uint64_t seed, torch::Device device, torch::ScalarType dtype) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto normal = [&](std::vector<int64_t> shape, double std) {
    return (torch::randn(shape, gen, torch::dtype(torch::kFloat32)) * std).to(device, dtype);
  };
  auto ones = [&](int64_t n) { return torch::ones({n}, torch::dtype(dtype).device(device)); };
  const int64_t d = c.d_model, kv = c.n_kv_heads * c.head_dim, h = c.mlp_hidden, v = c.vocab_size;
  const double sd = 1.0 / std::sqrt(static_cast<double>(d)), sh = 1.0 / std::sqrt(static_cast<double>(h));
  TransformerWeights w;
  w.embed = normal({v, d}, 1.0);
  for (int64_t i = 0; i < c.n_layers; ++i) {
    LayerWeights L;
    L.attn_norm = ones(d);
    L.q = normal({d, d}, sd);
    L.k = normal({kv, d}, sd);
    L.v = normal({kv, d}, sd);
    if (c.qkv_bias) {
      L.q_bias = torch::zeros({d}, torch::dtype(dtype).device(device));
      L.k_bias = torch::zeros({kv}, torch::dtype(dtype).device(device));
      L.v_bias = torch::zeros({kv}, torch::dtype(dtype).device(device));
    }
    L.o = normal({d, d}, sd / std::sqrt(2.0 * static_cast<double>(c.n_layers)));
    L.mlp_norm = ones(d);
    L.gate = normal({h, d}, sd);
    L.up = normal({h, d}, sd);
    L.down = normal({d, h}, sh / std::sqrt(2.0 * static_cast<double>(c.n_layers)));
    w.layers.push_back(std::move(L));
  }
  w.final_norm = ones(d);
  w.head = c.tied_embeddings ? w.embed : normal({v, d}, sd);
  return w;
}

}  // namespace dlmeval
