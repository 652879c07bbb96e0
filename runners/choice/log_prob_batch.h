#pragma once
// Gold-token log-probabilities for many masked copies of (context, answer) pairs, computed in as
// few forward passes as the limits allow. Identical input sequences are run once; rows of
// different lengths share a forward with right padding hidden by the attention mask (mathematically
// the same numbers; the reference never pads). Only the hidden states at the queried positions go
// through the LM head, so a 600-token prompt costs no vocabulary-sized logits.
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "runners/choice/choice_scoring.h"
#include "runners/model.h"

namespace dlmeval {

// The network with an identity head: forward() then returns the final normalised hidden states.
// The projection through the real head happens afterwards, only where a log-probability is needed.
class HiddenStateModel {
 public:
  explicit HiddenStateModel(const LoadedModel& model);
  const LoadedModel& model() const { return model_; }
  // Final hidden states [B, keep_length, d] of positions [keep_start, keep_start + keep_length).
  torch::Tensor hidden(const torch::Tensor& ids, const std::optional<torch::Tensor>& attention_mask, int64_t keep_start,
                       int64_t keep_length) const;
  // log_softmax(head(h)) in float32 for hidden states [N, d] (compute dtype of the network).
  torch::Tensor logits(const torch::Tensor& hidden_states) const;

 private:
  const LoadedModel& model_;
};

class LogProbBatch {
 public:
  LogProbBatch(const HiddenStateModel& model, double cfg_scale, const ScoringOptions& options);

  // One masked copy of context + answer (`masked[i]` hides answer token i). Returns a row id.
  size_t add_row(const TokenIds& context, const TokenIds& answer, const std::vector<uint8_t>& masked);
  // log p(token at answer position `answer_pos` = `token`) in row `row`. Returns a query id.
  size_t add_query(size_t row, int64_t answer_pos, int64_t token);
  // Runs the forwards; values()[query id] afterwards. Callable once.
  void run();
  const std::vector<double>& values() const { return values_; }
  int64_t forward_passes() const { return forward_passes_; }
  int64_t sequences() const { return static_cast<int64_t>(sequences_.size()); }

 private:
  size_t sequence_id(TokenIds ids);
  size_t slot_id(size_t sequence, int64_t position);

  struct Row {
    size_t cond = 0, uncond = 0;  // sequence ids (uncond only with CFG)
    int64_t answer_start = 0;
  };
  struct Query {
    size_t cond_slot = 0, uncond_slot = 0;
    int64_t token = 0;
  };

  const HiddenStateModel& model_;
  double cfg_scale_;
  ScoringOptions options_;
  std::vector<TokenIds> sequences_;
  std::map<TokenIds, size_t> sequence_index_;
  std::vector<std::vector<std::pair<int64_t, size_t>>> slots_of_sequence_;  // (position, slot)
  std::map<std::pair<size_t, int64_t>, size_t> slot_index_;
  size_t slot_count_ = 0;
  std::vector<Row> rows_;
  std::vector<Query> queries_;
  std::vector<double> values_;
  int64_t forward_passes_ = 0;
};

}  // namespace dlmeval
