// Dream `_sample` (Fast-dLLM's vendored generation_utils.py): the whole canvas decoded on the
// timestep schedule, logits shifted one position to the right, one commit count for the batch.
#include <limits>

#include "runners/samplers/proposals.h"
#include "runners/samplers/sampler_loops.h"
#include "runners/samplers/schedule.h"

namespace dlmeval {

namespace {

ConfidenceRule rule_of(DreamAlg alg) {
  switch (alg) {
    case DreamAlg::TopkMargin: return ConfidenceRule::Margin;
    case DreamAlg::Entropy: return ConfidenceRule::NegEntropy;
    default: return ConfidenceRule::TopProbability;
  }
}

// The token at j is read from the output at j - 1; position 0 reuses its own.
torch::Tensor shifted(const torch::Tensor& logits) {
  return torch::cat({logits.narrow(1, 0, 1), logits.narrow(1, 0, logits.size(1) - 1)}, 1);
}

}  // namespace

SamplerOutput run_dream(const Transformer& net, const GenerationSettings& s, const torch::Tensor& prompt,
                        const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                        const StepCallback* callback) {
  const int64_t B = prompt.size(0), P = prompt.size(1), N = s.max_new_tokens;
  auto x = torch::cat({prompt, torch::full({B, N}, s.mask_id, prompt.options())}, 1);
  // A mask without zeros is replaced by "full" attention in the reference.
  std::optional<torch::Tensor> mask;
  if (attention_mask && (*attention_mask == 0).any().item<bool>())
    mask = torch::cat({*attention_mask, torch::ones({B, N}, attention_mask->options())}, 1);
  const auto timesteps = dream_timesteps(s.steps, s.eps);
  DreamProposalOptions options;
  options.temperature = s.temperature;
  options.top_p = s.top_p;
  options.top_k = s.top_k;
  options.rule = rule_of(s.alg);
  int64_t passes = 0;
  for (int64_t i = 0; i < s.steps; ++i) {
    auto mask_index = x == s.mask_id;
    auto logits = shifted(net.forward(x, mask));
    ++passes;
    auto mask_logits = logits.index({mask_index});
    if (s.alg == DreamAlg::Origin) {
      const int64_t n = mask_logits.size(0);
      const float p_transfer = dream_transfer_probability(timesteps, i);
      auto draws = torch::rand({n}, gen, torch::dtype(torch::kFloat32));
      auto transfer = (draws < p_transfer).to(x.device());
      auto x0 = torch::full({n}, s.mask_id, x.options());
      auto chosen = mask_logits.index({transfer});
      if (chosen.size(0) > 0) x0.index_put_({transfer}, dream_proposal(chosen, options, gen).tokens);
      x.index_put_({mask_index}, x0);
    } else {
      Proposal p = dream_proposal(mask_logits, options, gen);
      const int64_t k = dream_transfer_count(mask_index.sum().item<int64_t>(), B, timesteps, i);
      auto confidence = torch::full(x.sizes(), -std::numeric_limits<float>::infinity(), logits.options());
      confidence.index_put_({mask_index}, p.confidence);
      if (k > 0) {
        torch::Tensor chosen;
        if (s.alg_temp == 0) {
          chosen = std::get<1>(confidence.topk(k));
        } else {
          auto weights = torch::softmax(confidence / s.alg_temp, -1);
          chosen = torch::multinomial(weights.to(torch::kCPU), k, /*replacement=*/false, gen).to(x.device());
        }
        auto proposal = torch::full_like(x, s.mask_id);
        proposal.index_put_({mask_index}, p.tokens);
        x.scatter_(1, chosen, proposal.gather(1, chosen));
      }
    }
    if (callback) (*callback)(StepInfo{0, i, passes, x});
  }
  return {x.to(torch::kCPU), P, passes};
}

}  // namespace dlmeval
