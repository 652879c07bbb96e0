#pragma once
// What a sampler proposes at a masked position: a token and a confidence in it. The confidence
// rules are the reference ones: probability of the chosen token (LLaDA low_confidence, Dream
// maskgit_plus), top-1 minus top-2 probability (topk_margin), negative entropy (entropy), and a
// uniform random draw (LLaDA random remasking). Every random draw comes from `gen`.
#include <torch/torch.h>

#include <optional>

namespace dlmeval {

struct Proposal {
  torch::Tensor tokens;      // [N] int64
  torch::Tensor confidence;  // [N]
};

enum class ConfidenceRule { TopProbability, Margin, NegEntropy };

// Confidence of each row of `probs` [N, V] under `rule`; `chosen` [N] is the proposed token (used
// by TopProbability).
torch::Tensor confidence_of(const torch::Tensor& probs, const torch::Tensor& chosen, ConfidenceRule rule);

// LLaDA `add_gumbel_noise`: exp(logits) / (-log u)^temperature in float64 (logits unchanged at 0).
torch::Tensor gumbel_perturbed(const torch::Tensor& logits, double temperature, torch::Generator& gen);

struct LladaProposalOptions {
  double temperature = 0.0;
  bool logits_eos_inf = false;
  bool confidence_eos_eot_inf = false;
  bool random_confidence = false;  // remasking == random
  int64_t eos_id = -1, eot_id = -1;
};

// generate.py's per-step proposal for masked rows `logits` [N, V] (float32), including its
// quirks: at temperature 0 `confidence_eos_eot_inf` also removes EOS and EOT from the softmax
// (the noisy logits alias the logits), at temperature > 0 only EOT. Random confidences are drawn
// separately by the caller (the reference draws them over the whole canvas).
Proposal llada_proposal(torch::Tensor logits, const LladaProposalOptions& options, torch::Generator& gen);

struct DreamProposalOptions {
  double temperature = 0.0;
  std::optional<double> top_p;
  std::optional<int64_t> top_k;
  ConfidenceRule rule = ConfidenceRule::TopProbability;
};

// Dream `sample_tokens` for rows `logits` [N, V]: temperature, top_p then top_k filtering
// (filtered logits set to the dtype's lowest value), categorical sample or argmax, confidence.
Proposal dream_proposal(const torch::Tensor& logits, const DreamProposalOptions& options, torch::Generator& gen);

// Dream's filters, exposed for tests.
torch::Tensor top_p_filtered(const torch::Tensor& logits, double top_p);
torch::Tensor top_k_filtered(const torch::Tensor& logits, int64_t top_k);

}  // namespace dlmeval
