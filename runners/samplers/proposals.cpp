#include "runners/samplers/proposals.h"

#include <limits>

namespace dlmeval {

using torch::indexing::Slice;

torch::Tensor confidence_of(const torch::Tensor& probs, const torch::Tensor& chosen, ConfidenceRule rule) {
  switch (rule) {
    case ConfidenceRule::TopProbability:
      return probs.gather(-1, chosen.unsqueeze(-1)).squeeze(-1);
    case ConfidenceRule::Margin: {
      auto sorted = std::get<0>(probs.sort(-1, /*descending=*/true));
      return sorted.select(-1, 0) - sorted.select(-1, 1);
    }
    case ConfidenceRule::NegEntropy:
      return (probs * torch::log(probs + 1e-10)).sum(-1);
  }
  return {};
}

torch::Tensor gumbel_perturbed(const torch::Tensor& logits, double temperature, torch::Generator& gen) {
  if (temperature == 0) return logits;
  auto l = logits.to(torch::kFloat64);
  auto noise = torch::rand(l.sizes(), gen, torch::dtype(torch::kFloat64)).to(l.device());
  auto gumbel = torch::pow(-torch::log(noise), temperature);
  return l.exp() / gumbel;
}

Proposal llada_proposal(torch::Tensor logits, const LladaProposalOptions& o, torch::Generator& gen) {
  const double neg_inf = -std::numeric_limits<double>::infinity();
  if (o.logits_eos_inf && o.eos_id >= 0) logits.index_put_({Slice(), o.eos_id}, neg_inf);
  auto noisy = gumbel_perturbed(logits, o.temperature, gen);
  Proposal p;
  p.tokens = noisy.argmax(-1);
  if (o.confidence_eos_eot_inf) {
    // `logits_with_noise[:, :, eos] = logits[:, :, eot] = -inf`: at temperature 0 both names are
    // one tensor, so EOS leaves the softmax too.
    if (o.temperature == 0 && o.eos_id >= 0) logits.index_put_({Slice(), o.eos_id}, neg_inf);
    if (o.eot_id >= 0) logits.index_put_({Slice(), o.eot_id}, neg_inf);
  }
  if (!o.random_confidence) {
    auto probs = torch::softmax(logits, -1);
    p.confidence = confidence_of(probs, p.tokens, ConfidenceRule::TopProbability);
  }
  return p;
}

torch::Tensor top_p_filtered(const torch::Tensor& logits, double top_p) {
  auto [sorted, order] = logits.sort(-1, /*descending=*/true);
  auto cumulative = torch::softmax(sorted, -1).cumsum(-1);
  auto remove = cumulative > top_p;
  // Keep the first token above the threshold: shift right by one.
  remove.index_put_({"...", Slice(1, torch::indexing::None)}, remove.index({"...", Slice(0, -1)}).clone());
  remove.index_put_({"...", 0}, false);
  auto mask = torch::zeros_like(logits, torch::kBool).scatter(-1, order, remove);
  return logits.masked_fill(mask, std::numeric_limits<float>::lowest());
}

torch::Tensor top_k_filtered(const torch::Tensor& logits, int64_t top_k) {
  top_k = std::min(top_k, logits.size(-1));
  auto kth = std::get<0>(logits.topk(top_k)).index({"...", Slice(-1, torch::indexing::None)});
  return logits.masked_fill(logits < kth, std::numeric_limits<float>::lowest());
}

Proposal dream_proposal(const torch::Tensor& logits_in, const DreamProposalOptions& o, torch::Generator& gen) {
  auto logits = logits_in;
  if (o.temperature > 0) logits = logits / o.temperature;
  if (o.top_p && *o.top_p < 1) logits = top_p_filtered(logits, *o.top_p);
  if (o.top_k) logits = top_k_filtered(logits, *o.top_k);
  auto probs = torch::softmax(logits, -1);
  Proposal p;
  if (o.temperature > 0) {
    p.tokens = torch::multinomial(probs.to(torch::kCPU), 1, /*replacement=*/true, gen).squeeze(-1).to(probs.device());
    p.confidence = probs.gather(-1, p.tokens.unsqueeze(-1)).squeeze(-1);
  } else {
    auto [values, indices] = probs.max(-1);
    p.tokens = indices;
    p.confidence = values;
  }
  if (o.rule != ConfidenceRule::TopProbability) p.confidence = confidence_of(probs, p.tokens, o.rule);
  return p;
}

}  // namespace dlmeval
