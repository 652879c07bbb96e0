#include "tasks/choice_task.h"

#include "harness/core/error.h"
#include "scorers/choice_metrics.h"

namespace dlmeval {

ChoiceTask::ChoiceTask(std::string name, ChoiceMetrics metrics, bool partial, std::string version)
    : BasicTask(std::move(name), std::move(version), RequestKind::Choice), metrics_(metrics), partial_(partial) {}

void ChoiceTask::set_delimiters(std::string target_delimiter, std::string fewshot_delimiter) {
  target_delimiter_ = std::move(target_delimiter);
  fewshot_delimiter_ = std::move(fewshot_delimiter);
}

void ChoiceTask::add(Doc doc, ChoiceItem item, const std::string& description, const std::string& fewshot_block) {
  if (item.choices.empty() || item.gold >= item.choices.size()) {
    throw UserError(name() + ": doc " + doc.id + ": gold answer index " + std::to_string(item.gold) +
                    " outside its " + std::to_string(item.choices.size()) + " options");
  }
  docs_.push_back(std::move(doc));
  items_.push_back(std::move(item));
  prefixes_.push_back(description + fewshot_block);
}

void ChoiceTask::finish() { finish_docs(TaskOptions{}); }

std::string ChoiceTask::render_shot(const ChoiceItem& item) const {
  if (partial_) return item.choices[item.gold] + target_delimiter_ + item.suffix + fewshot_delimiter_;
  return item.text + target_delimiter_ + item.choices[item.gold] + fewshot_delimiter_;
}

TaskRequest ChoiceTask::build_request(const Doc& doc) const {
  const size_t i = index_of(doc);
  const ChoiceItem& item = items_[i];
  TaskRequest request;
  request.kind = RequestKind::Choice;
  request.doc_id = doc.id;
  if (partial_) {
    for (const std::string& option : item.choices) request.contexts.push_back(prefixes_[i] + option);
    request.continuations = {target_delimiter_ + item.suffix};
  } else {
    request.contexts = {prefixes_[i] + item.text};
    for (const std::string& choice : item.choices) request.continuations.push_back(target_delimiter_ + choice);
  }
  request.target = metrics_ == ChoiceMetrics::Mc2 ? Json(item.labels) : Json(item.gold);
  return request;
}

ScoredSample ChoiceTask::score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const {
  const ChoiceItem& item = items_[index_of(doc)];
  require_loglik(*this, request, output, item.choices.size());
  ScoredSample scored;
  scored.filtered = Json{{"prediction", argmax_choice(output.loglik)}};
  if (metrics_ == ChoiceMetrics::Mc2) {
    scored.metrics["mc2"] = truthfulqa_mc2(output.loglik, item.labels);
    return scored;
  }
  scored.metrics["acc"] = choice_acc(output.loglik, item.gold);
  if (metrics_ == ChoiceMetrics::AccAndNorm) {
    // lm-eval normalises by the length of the choice text itself, without the " " delimiter.
    scored.metrics["acc_norm"] = choice_acc_norm(output.loglik, item.choices, item.gold);
  }
  return scored;
}

std::vector<std::string> ChoiceTask::metric_names() const {
  switch (metrics_) {
    case ChoiceMetrics::AccAndNorm:
      return {"acc", "acc_norm"};
    case ChoiceMetrics::AccOnly:
      return {"acc"};
    case ChoiceMetrics::Mc2:
      return {"mc2"};
  }
  return {};
}

void add_with_drawn_shots(ChoiceTask& task, std::vector<Doc> docs, std::vector<ChoiceItem> items,
                          const std::string& description, const TaskOptions& options, int default_shots) {
  const int k = options.num_fewshot.value_or(default_shots);
  if (k < 0 || static_cast<size_t>(k) >= docs.size()) {
    throw UserError(task.name() + ": num_fewshot " + std::to_string(k) + " must be between 0 and " +
                    std::to_string(docs.size() - 1));
  }
  const size_t n_eval = options.limit ? std::min(*options.limit, docs.size()) : docs.size();
  const auto shots = draw_fewshot(docs.size(), n_eval, k, options.fewshot_seed,
                                  [&](size_t pool, size_t doc) { return docs[pool].fields == docs[doc].fields; });
  std::vector<std::string> blocks(n_eval);
  for (size_t d = 0; d < n_eval; ++d) {
    for (size_t index : shots[d]) blocks[d] += task.render_shot(items[index]);
  }
  for (size_t d = 0; d < n_eval; ++d) task.add(std::move(docs[d]), std::move(items[d]), description, blocks[d]);
}

}  // namespace dlmeval
