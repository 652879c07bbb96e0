// The autoregressive baseline's decoding loop, as transformers' generate() runs it for Qwen2 and
// LLaMA: the prompt once, then one token per call from a KV cache grown by one position; greedy
// is the argmax (first index on ties, like torch.argmax), sampling applies temperature, top_k,
// then top_p (transformers' warper order) and draws from the softmax. A finished row keeps
// receiving the pad id so the batch stays rectangular; its output is cut at its end anyway.
#include "runners/samplers/proposals.h"
#include "runners/samplers/sampler_loops.h"

namespace dlmeval {

namespace {

torch::Tensor next_tokens(const torch::Tensor& logits, const GenerationSettings& s, torch::Generator& gen) {
  if (s.temperature <= 0) return logits.argmax(-1);
  auto scaled = logits / s.temperature;
  if (s.top_k) scaled = top_k_filtered(scaled, *s.top_k);
  if (s.top_p) scaled = top_p_filtered(scaled, *s.top_p);
  auto probs = torch::softmax(scaled, -1);
  return torch::multinomial(probs.to(torch::kCPU), 1, /*replacement=*/false, gen).squeeze(-1).to(logits.device());
}

}  // namespace

SamplerOutput run_autoregressive(const Transformer& net, const GenerationSettings& s, const torch::Tensor& prompt,
                                 const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                                 const StopRule* stop, const StepCallback* callback) {
  const int64_t B = prompt.size(0), P = prompt.size(1);
  const int64_t filler = s.eos_id >= 0 ? s.eos_id : 0;
  std::optional<torch::Tensor> mask;
  if (attention_mask && (*attention_mask == 0).any().item<bool>()) mask = attention_mask->to(torch::kLong);
  KVCache cache;
  auto logits = net.forward_causal(prompt, mask, cache, P - 1, 1);
  int64_t passes = 1;
  auto x = prompt;
  std::vector<bool> done(static_cast<size_t>(B), false);
  auto finished = torch::zeros({B}, torch::dtype(torch::kBool).device(prompt.device()));
  const bool can_end = s.stop_at_eos || stop != nullptr;
  for (int64_t i = 0; i < s.max_new_tokens; ++i) {
    auto next = next_tokens(logits.select(1, 0), s, gen);
    next = torch::where(finished, torch::full_like(next, filler), next);
    x = torch::cat({x, next.view({B, 1})}, 1);
    if (callback) (*callback)(StepInfo{0, i, passes, x});
    if (can_end) {
      if (all_settled(x, P, P + i + 1, s, stop, done)) break;
      finished = torch::tensor(std::vector<uint8_t>(done.begin(), done.end()), torch::kUInt8).to(torch::kBool)
                     .to(prompt.device());
    }
    if (i + 1 == s.max_new_tokens) break;
    if (mask) mask = torch::cat({*mask, torch::ones({B, 1}, mask->options())}, 1);
    logits = net.forward_causal(next.view({B, 1}), mask, cache, 0, 1);
    ++passes;
  }
  return {x.to(torch::kCPU), P, passes};
}

}  // namespace dlmeval
