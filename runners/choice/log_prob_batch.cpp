#include "runners/choice/log_prob_batch.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "harness/core/error.h"

namespace dlmeval {

HiddenStateModel::HiddenStateModel(const LoadedModel& model) : model_(model) {}

torch::Tensor HiddenStateModel::hidden(const torch::Tensor& ids, const std::optional<torch::Tensor>& attention_mask,
                                       int64_t keep_start, int64_t keep_length) const {
  return model_.net->hidden_states(ids, attention_mask, keep_start, keep_length);
}

torch::Tensor HiddenStateModel::logits(const torch::Tensor& hidden_states) const {
  return model_.net->head_logits(hidden_states);
}

LogProbBatch::LogProbBatch(const HiddenStateModel& model, double cfg_scale, const ScoringOptions& options)
    : model_(model), cfg_scale_(cfg_scale), options_(options) {}

size_t LogProbBatch::sequence_id(TokenIds ids) {
  if (options_.share_identical_rows) {
    auto it = sequence_index_.find(ids);
    if (it != sequence_index_.end()) return it->second;
    sequence_index_.emplace(ids, sequences_.size());
  }
  sequences_.push_back(std::move(ids));
  slots_of_sequence_.emplace_back();
  return sequences_.size() - 1;
}

size_t LogProbBatch::slot_id(size_t sequence, int64_t position) {
  auto [it, inserted] = slot_index_.try_emplace({sequence, position}, slot_count_);
  if (inserted) {
    slots_of_sequence_[sequence].emplace_back(position, slot_count_);
    ++slot_count_;
  }
  return it->second;
}

size_t LogProbBatch::add_row(const TokenIds& context, const TokenIds& answer, const std::vector<uint8_t>& masked) {
  const int64_t mask_id = model_.model().ids.mask_id;
  TokenIds ids = context;
  for (size_t i = 0; i < answer.size(); ++i) ids.push_back(masked[i] ? mask_id : answer[i]);
  Row row;
  row.answer_start = static_cast<int64_t>(context.size());
  if (cfg_scale_ > 0) {
    // The reference's unconditional copy: every prompt position replaced by the mask id.
    TokenIds uncond = ids;
    std::fill(uncond.begin(), uncond.begin() + row.answer_start, mask_id);
    row.uncond = sequence_id(std::move(uncond));
  }
  row.cond = sequence_id(std::move(ids));
  rows_.push_back(row);
  return rows_.size() - 1;
}

size_t LogProbBatch::add_query(size_t row_id, int64_t answer_pos, int64_t token) {
  const Row& row = rows_.at(row_id);
  int64_t position = row.answer_start + answer_pos;
  // Dream reads the token at j from the output at j - 1 (position 0 reads itself).
  if (model_.model().config.shifted_logits) position = std::max<int64_t>(0, position - 1);
  Query q;
  q.token = token;
  q.cond_slot = slot_id(row.cond, position);
  if (cfg_scale_ > 0) q.uncond_slot = slot_id(row.uncond, position);
  queries_.push_back(q);
  return queries_.size() - 1;
}

void LogProbBatch::run() {
  torch::NoGradGuard no_grad;
  const Transformer& net = *model_.model().net;
  const auto& ids = model_.model().ids;
  const int64_t d = net.config().d_model;
  const int64_t pad = ids.pad_id >= 0 ? ids.pad_id : (ids.eos_id >= 0 ? ids.eos_id : 0);
  auto hidden_store = torch::empty({static_cast<int64_t>(slot_count_), d}, torch::kFloat32);

  // Longest first, so each forward pads little; only sequences somebody queries are run.
  std::vector<size_t> order;
  for (size_t s = 0; s < sequences_.size(); ++s)
    if (!slots_of_sequence_[s].empty()) order.push_back(s);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sequences_[a].size() > sequences_[b].size(); });

  const int64_t budget = std::max<int64_t>(1, options_.max_tokens_per_forward);
  for (size_t begin = 0; begin < order.size();) {
    const int64_t width = static_cast<int64_t>(sequences_[order[begin]].size());
    size_t end = begin + 1;
    while (end < order.size() && static_cast<int64_t>(end - begin + 1) * width <= budget &&
           (options_.max_rows_per_forward <= 0 || static_cast<int64_t>(end - begin) < options_.max_rows_per_forward))
      ++end;
    const int64_t batch = static_cast<int64_t>(end - begin);
    std::vector<int64_t> input(batch * width, pad), keep(batch * width, 1);
    bool padded = false;
    std::vector<int64_t> flat_positions, slots;
    // Only the span of queried positions leaves the network (the answers, not the prompt).
    int64_t first = width, last = 0;
    for (int64_t b = 0; b < batch; ++b)
      for (const auto& [position, slot] : slots_of_sequence_[order[begin + b]]) {
        first = std::min(first, position);
        last = std::max(last, position);
      }
    const int64_t span = last - first + 1;
    for (int64_t b = 0; b < batch; ++b) {
      const auto& seq = sequences_[order[begin + b]];
      const auto n = static_cast<int64_t>(seq.size());
      std::copy(seq.begin(), seq.end(), input.begin() + b * width);
      if (n < width) {
        std::fill(keep.begin() + b * width + n, keep.begin() + (b + 1) * width, 0);
        padded = true;
      }
      for (const auto& [position, slot] : slots_of_sequence_[order[begin + b]]) {
        flat_positions.push_back(b * span + position - first);
        slots.push_back(static_cast<int64_t>(slot));
      }
    }
    auto as_tensor = [&](const std::vector<int64_t>& v) { return torch::tensor(v, torch::kLong).view({batch, width}); };
    auto hidden = model_.hidden(as_tensor(input), padded ? std::optional<torch::Tensor>(as_tensor(keep)) : std::nullopt,
                                first, span);
    ++forward_passes_;
    auto picked = hidden.reshape({batch * span, d}).index_select(0, torch::tensor(flat_positions).to(hidden.device()));
    hidden_store.index_copy_(0, torch::tensor(slots), picked.to(torch::kCPU, torch::kFloat32));
    begin = end;
  }

  values_.assign(queries_.size(), 0.0);
  constexpr int64_t kQueriesPerProjection = 2048;  // bounds the [n, vocab] logits held at once
  for (size_t begin = 0; begin < queries_.size(); begin += kQueriesPerProjection) {
    const size_t end = std::min(queries_.size(), begin + kQueriesPerProjection);
    std::vector<int64_t> cond, uncond, tokens;
    for (size_t q = begin; q < end; ++q) {
      cond.push_back(static_cast<int64_t>(queries_[q].cond_slot));
      uncond.push_back(static_cast<int64_t>(queries_[q].uncond_slot));
      tokens.push_back(queries_[q].token);
    }
    auto logits = model_.logits(hidden_store.index_select(0, torch::tensor(cond)));
    if (cfg_scale_ > 0) {
      auto un = model_.logits(hidden_store.index_select(0, torch::tensor(uncond)));
      logits = un + (cfg_scale_ + 1.0) * (logits - un);
    }
    auto log_probs = torch::log_softmax(logits, -1)
                         .gather(1, torch::tensor(tokens).to(logits.device()).view({-1, 1}))
                         .view({-1})
                         .to(torch::kCPU, torch::kFloat64)
                         .contiguous();
    const double* p = log_probs.data_ptr<double>();
    for (size_t q = begin; q < end; ++q) values_[q] = p[q - begin];
  }
}

}  // namespace dlmeval
