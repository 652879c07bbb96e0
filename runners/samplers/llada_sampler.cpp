// The LLaDA family: generate.py's semi-autoregressive block loop, with the fast variants
// (threshold commits, prefix / dual KV cache) and iLLaDA's growing canvas built on the same step.
#include <limits>
#include <vector>

#include "runners/samplers/commit.h"
#include "runners/samplers/logit_source.h"
#include "runners/samplers/proposals.h"
#include "runners/samplers/sampler_loops.h"
#include "runners/samplers/schedule.h"

namespace dlmeval {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

LladaProposalOptions proposal_options(const GenerationSettings& s) {
  LladaProposalOptions o;
  o.temperature = s.temperature;
  o.logits_eos_inf = s.logits_eos_inf;
  o.confidence_eos_eot_inf = s.confidence_eos_eot_inf;
  o.random_confidence = s.remasking == Remasking::Random;
  o.eos_id = s.eos_id;
  o.eot_id = s.eot_id;
  return o;
}

// One step: propose at the masked positions before `block_end` that the window covers, then
// commit `counts` tokens per row (or by threshold).
void llada_step(torch::Tensor& x, const LogitSource::Window& w, int64_t block_end, const GenerationSettings& s,
                const torch::Tensor& counts, torch::Generator& gen) {
  const int64_t B = x.size(0), W = w.logits.size(1);
  auto xw = x.narrow(1, w.start, W);
  auto candidate = xw == s.mask_id;
  if (w.start + W > block_end) {
    auto positions = torch::arange(w.start, w.start + W, torch::dtype(torch::kLong).device(x.device())).unsqueeze(0);
    candidate = candidate & (positions < block_end);
  }
  torch::Tensor proposed, confidence;
  if (s.temperature == 0 && s.remasking != Remasking::Random) {
    // Nothing random is drawn: propose at every position of the window (argmax and softmax work
    // row by row, so the candidates' values are the same) and keep the candidates'.
    Proposal p = llada_proposal(w.logits.reshape({B * W, w.logits.size(2)}), proposal_options(s), gen);
    proposed = torch::where(candidate, p.tokens.view({B, W}), xw);
    confidence = p.confidence.view({B, W}).to(torch::kFloat32).masked_fill(~candidate, kNegInf);
  } else {
    // The noise and the random confidences are drawn for the candidates alone, as the reference's
    // generator stream has them.
    confidence = torch::full({B, W}, kNegInf, torch::dtype(torch::kFloat32).device(x.device()));
    proposed = xw.clone();
    auto where = candidate.nonzero();
    if (where.size(0) > 0) {
      auto rows = where.select(1, 0), cols = where.select(1, 1);
      auto selected = w.logits.index({rows, cols});
      Proposal p = llada_proposal(selected, proposal_options(s), gen);
      proposed.index_put_({rows, cols}, p.tokens);
      if (s.remasking == Remasking::Random)
        p.confidence = torch::rand({B, W}, gen, torch::dtype(torch::kFloat32)).to(x.device()).index({rows, cols});
      confidence.index_put_({rows, cols}, p.confidence.to(torch::kFloat32));
    }
  }
  auto transfer = s.threshold ? commit_threshold(confidence, *s.threshold) : commit_fixed_count(confidence, counts);
  xw.copy_(torch::where(transfer, proposed, xw));
}

bool block_has_mask(const torch::Tensor& x, int64_t start, int64_t end, int64_t mask_id) {
  return (x.narrow(1, start, end - start) == mask_id).any().item<bool>();
}

// Decodes canvas positions [start, end). The exact sampler runs every scheduled step, as the
// reference does; the fast ones stop once the block is complete.
void decode_block(torch::Tensor& x, int64_t start, int64_t end, int64_t steps, LogitSource& source,
                  const GenerationSettings& s, torch::Generator& gen, int64_t block, int64_t passes_before,
                  const StepCallback* callback) {
  const bool exact = s.kind == SamplerKind::LLaDA || s.kind == SamplerKind::ILLaDAVarlen;
  auto counts = llada_transfer_counts(x.narrow(1, start, end - start) == s.mask_id, steps);
  // With a threshold every step commits at least one token per unfinished row; the cap only
  // guards against a model that keeps proposing the mask id itself.
  const int64_t max_steps = s.threshold ? std::max<int64_t>(steps, end - start) : steps;
  for (int64_t step = 0; step < max_steps; ++step) {
    if (!exact && !block_has_mask(x, start, end, s.mask_id)) break;
    auto window = source.logits(x, start, end, step == 0);
    llada_step(x, window, end, s, s.threshold ? torch::Tensor() : counts.select(1, step), gen);
    if (callback) (*callback)(StepInfo{block, step, passes_before + source.forward_passes(), x});
  }
}

std::optional<torch::Tensor> extend_mask(const std::optional<torch::Tensor>& mask, int64_t extra) {
  if (!mask) return std::nullopt;
  return torch::cat({*mask, torch::ones({mask->size(0), extra}, mask->options())}, 1);
}

}  // namespace

// Marks rows whose kept output is settled by the committed tokens of positions [P, end).
bool all_settled(const torch::Tensor& x, int64_t P, int64_t end, const GenerationSettings& s, const StopRule* stop,
                 std::vector<bool>& done) {
  auto generated = x.narrow(1, P, end - P).to(torch::kCPU).contiguous();
  const int64_t G = generated.size(1);
  bool all = true;
  for (int64_t r = 0; r < generated.size(0); ++r) {
    if (!done[r]) {
      const int64_t* p = generated[r].data_ptr<int64_t>();
      TokenIds row(p, p + G);
      bool ended = false;
      if (s.stop_at_eos)
        for (int64_t id : row) ended = ended || (s.eos_id >= 0 && id == s.eos_id) || (s.eot_id >= 0 && id == s.eot_id);
      done[r] = ended || (stop != nullptr && stop->settled(static_cast<size_t>(r), row));
    }
    all = all && done[r];
  }
  return all;
}


SamplerOutput run_llada_blocks(const Transformer& net, const GenerationSettings& s, const torch::Tensor& prompt,
                               const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                               const StopRule* stop, const StepCallback* callback) {
  const int64_t B = prompt.size(0), P = prompt.size(1);
  auto x = torch::cat({prompt, torch::full({B, s.gen_length}, s.mask_id, prompt.options())}, 1);
  auto mask = extend_mask(attention_mask, s.gen_length);
  auto prompt_positions = x != s.mask_id;
  LogitSource source(net, mask, s.cache, s.cfg_scale, prompt_positions, s.mask_id);
  const int64_t blocks = s.gen_length / s.block_length, steps = s.steps / blocks;
  const bool check_end = s.early_exit && (s.stop_at_eos || stop != nullptr);
  std::vector<bool> done(B, false);
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t start = P + b * s.block_length, end = start + s.block_length;
    decode_block(x, start, end, steps, source, s, gen, b, 0, callback);
    if (check_end && all_settled(x, P, end, s, stop, done)) break;
  }
  return {x.to(torch::kCPU), P, source.forward_passes()};
}

SamplerOutput run_illada_varlen(const Transformer& net, const GenerationSettings& s, const torch::Tensor& prompt,
                                const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                                const StopRule* stop, const StepCallback* callback) {
  const int64_t B = prompt.size(0), P = prompt.size(1);
  auto x = prompt.clone();
  auto original_prompt = prompt != s.mask_id;
  std::vector<bool> done(B, false);
  int64_t passes = 0;
  // A committed EOS/EOT always ends the growth, whatever stop_at_eos says about the kept text.
  GenerationSettings end_rule = s;
  end_rule.stop_at_eos = true;
  for (int64_t b = 0; x.size(1) - P < s.max_length; ++b) {
    const int64_t start = x.size(1), length = std::min(s.block_length, s.max_length - (start - P));
    x = torch::cat({x, torch::full({B, length}, s.mask_id, x.options())}, 1);
    auto mask = extend_mask(attention_mask, x.size(1) - P);
    auto prompt_positions = torch::cat({original_prompt, torch::zeros({B, x.size(1) - P}, original_prompt.options())}, 1);
    LogitSource source(net, mask, CachePolicy::None, s.cfg_scale, prompt_positions, s.mask_id);
    decode_block(x, start, start + length, s.steps_per_block, source, s, gen, b, passes, callback);
    passes += source.forward_passes();
    if (all_settled(x, P, x.size(1), end_rule, stop, done)) break;
  }
  return {x.to(torch::kCPU), P, passes};
}

}  // namespace dlmeval
