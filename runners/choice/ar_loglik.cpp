#include "runners/choice/ar_loglik.h"

#include <torch/torch.h>

#include <algorithm>

#include "harness/core/error.h"
#include "runners/choice/choice_protocol.h"
#include "runners/model.h"

namespace dlmeval {
namespace {

struct Row {
  TokenIds input;        // what the model reads
  int64_t first = 0;     // position in `input` whose output predicts the first continuation token
  TokenIds continuation;
};

Row make_row(const LoadedModel& model, TokenIds context, const TokenIds& continuation, const std::string& where) {
  if (continuation.empty()) throw UserError(where + ": a continuation encodes to no tokens");
  TokenIds scored = continuation;
  if (context.empty()) {
    const int64_t prefix = model.ids.bos_id >= 0 ? model.ids.bos_id : model.ids.eos_id;
    if (prefix < 0) throw UserError(where + ": empty context and the model has neither a BOS nor an EOS id");
    context = {prefix};
    // A continuation that already starts with the prefix gives it up as the context.
    if (scored.size() > 1 && scored.front() == prefix) scored.erase(scored.begin());
  }
  TokenIds whole = context;
  whole.insert(whole.end(), scored.begin(), scored.end());
  for (int64_t id : whole)
    if (id < 0 || id >= model.config.vocab_size) throw UserError(where + ": token id " + std::to_string(id) + " outside the vocabulary");
  const auto max_length = static_cast<size_t>(model.config.max_sequence_length);
  if (whole.size() > max_length + 1) whole.erase(whole.begin(), whole.end() - static_cast<long>(max_length + 1));
  Row row;
  row.input.assign(whole.begin(), whole.end() - 1);
  row.continuation = scored;
  row.first = static_cast<int64_t>(row.input.size()) - static_cast<int64_t>(scored.size());
  return row;
}

ChoiceResult score_question(const LoadedModel& model, const ChoiceRequest& request, const std::string& where) {
  if (request.continuations.empty()) throw UserError(where + ": no continuations");
  if (request.contexts.size() != 1 && request.contexts.size() != request.continuations.size())
    throw UserError(where + ": needs one shared context or one per continuation");
  std::vector<Row> rows;
  size_t longest = 0;
  for (size_t c = 0; c < request.continuations.size(); ++c) {
    rows.push_back(make_row(model, request.contexts[request.contexts.size() == 1 ? 0 : c], request.continuations[c], where));
    longest = std::max(longest, rows.back().input.size());
  }
  const auto B = static_cast<int64_t>(rows.size()), T = static_cast<int64_t>(longest);
  const int64_t pad = model.ids.pad_id >= 0 ? model.ids.pad_id : std::max<int64_t>(model.ids.eos_id, 0);
  auto ids = torch::full({B, T}, pad, torch::kLong);
  auto mask = torch::zeros({B, T}, torch::kLong);
  for (int64_t b = 0; b < B; ++b) {
    const auto n = static_cast<int64_t>(rows[b].input.size());
    ids[b].narrow(0, 0, n).copy_(torch::tensor(rows[b].input, torch::kLong));
    mask[b].narrow(0, 0, n).fill_(1);
  }
  std::optional<torch::Tensor> attention;
  if ((mask == 0).any().item<bool>()) attention = mask;
  auto hidden = model.net->hidden_states(ids, attention);  // [B, T, d]
  // Only the positions that predict a continuation token go through the LM head.
  std::vector<int64_t> flat;
  TokenIds targets;
  for (int64_t b = 0; b < B; ++b)
    for (size_t i = 0; i < rows[b].continuation.size(); ++i) {
      flat.push_back(b * T + rows[b].first + static_cast<int64_t>(i));
      targets.push_back(rows[b].continuation[i]);
    }
  auto picked = hidden.reshape({B * T, hidden.size(2)}).index_select(0, torch::tensor(flat, torch::kLong).to(hidden.device()));
  auto logprobs = torch::log_softmax(model.net->head_logits(picked), -1).to(torch::kCPU);
  auto target = torch::tensor(targets, torch::kLong);
  auto chosen = logprobs.gather(1, target.view({-1, 1})).squeeze(1).to(torch::kFloat64).contiguous();
  auto greedy = (logprobs.argmax(-1) == target).contiguous();
  ChoiceResult result;
  result.forward_passes = 1;
  size_t q = 0;
  for (int64_t b = 0; b < B; ++b) {
    double sum = 0;
    bool all_greedy = true;
    for (size_t i = 0; i < rows[b].continuation.size(); ++i, ++q) {
      sum += chosen[static_cast<int64_t>(q)].item<double>();
      all_greedy = all_greedy && greedy[static_cast<int64_t>(q)].item<bool>();
    }
    result.loglik.push_back(sum);
    result.stderr_of_loglik.push_back(0.0);
    result.is_greedy.push_back(all_greedy);
  }
  return result;
}

}  // namespace

std::vector<ChoiceResult> score_autoregressive_choices(const LoadedModel& model,
                                                       const std::vector<ChoiceRequest>& requests) {
  std::vector<ChoiceResult> results;
  for (size_t i = 0; i < requests.size(); ++i) {
    const std::string where = "choice request " + std::to_string(i);
    const ChoiceProtocol p = parse_choice_protocol(requests[i].protocol);
    if (p.estimator != ChoiceEstimator::ArLoglik)
      throw UserError(where + ": estimator '" + estimator_name(p.estimator) + "' needs a diffusion model; " +
                      model.config.architecture_name + " is autoregressive (use ar_loglik)");
    ChoiceResult r;
    r.cost = work_during(*model.net, [&] { r = score_question(model, requests[i], where); });
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace dlmeval
