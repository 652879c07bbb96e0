#include "tasks/task_base.h"

#include <algorithm>

#include <stdexcept>

#include "harness/core/error.h"
#include "scorers/number_extraction.h"
#include "scorers/pass_at_k.h"
#include "tasks/python_random.h"
#include "tasks/text_util.h"

namespace dlmeval {

void BasicTask::finish_docs(const TaskOptions& options) {
  if (options.limit && *options.limit < docs_.size()) docs_.resize(*options.limit);
  index_.clear();
  for (size_t i = 0; i < docs_.size(); ++i) {
    if (!index_.emplace(docs_[i].id, i).second) throw UserError(name() + ": duplicate doc id " + docs_[i].id);
  }
}

size_t BasicTask::index_of(const Doc& doc) const {
  auto it = index_.find(doc.id);
  if (it == index_.end()) throw UserError(name() + ": unknown doc id " + doc.id);
  return it->second;
}

int BasicTask::shots(const TaskOptions& options, int default_shots, size_t available) const {
  int n = options.num_fewshot.value_or(default_shots);
  if (n < 0) throw UserError(name() + ": num_fewshot must be >= 0, got " + std::to_string(n));
  if (static_cast<size_t>(n) > available) {
    throw UserError(name() + ": num_fewshot " + std::to_string(n) + " exceeds the " + std::to_string(available) +
                    " exemplars available");
  }
  return n;
}

std::vector<std::vector<size_t>> draw_fewshot(size_t pool_size, size_t n_docs, size_t num_fewshot, uint64_t seed,
                                              const std::function<bool(size_t, size_t)>& is_same_record) {
  std::vector<std::vector<size_t>> shots(n_docs);
  if (num_fewshot == 0) return shots;
  PythonRandom rng(seed);
  const size_t draw = num_fewshot + (is_same_record ? 1 : 0);
  for (size_t d = 0; d < n_docs; ++d) {
    for (size_t index : rng.sample_indices(pool_size, std::min(draw, pool_size))) {
      if (is_same_record && is_same_record(index, d)) continue;
      if (shots[d].size() < num_fewshot) shots[d].push_back(index);
    }
  }
  return shots;
}

void require_texts(const Task& task, const TaskRequest& request, const TaskOutput& output) {
  if (output.texts.empty()) throw UserError(task.name() + ": doc " + request.doc_id + ": no output text to score");
}

void require_loglik(const Task& task, const TaskRequest& request, const TaskOutput& output, size_t n_options) {
  if (output.loglik.size() != n_options) {
    throw UserError(task.name() + ": doc " + request.doc_id + ": expected " + std::to_string(n_options) +
                    " log-likelihoods (one per option), got " + std::to_string(output.loglik.size()));
  }
}

std::vector<ScoredSample> score_code_completions(
    const Task& task, const std::vector<const Doc*>& docs, const std::vector<TaskRequest>& requests,
    const std::vector<TaskOutput>& outputs,
    const std::function<std::string(const std::string& raw, const TaskRequest& request)>& extract,
    const std::function<std::string(const Doc& doc, const std::string& completion)>& program,
    const std::function<std::string(const Doc& doc)>& reference, const std::vector<int>& extra_k,
    const ExecutionPolicy& policy, int workers) {
  if (docs.size() != requests.size() || docs.size() != outputs.size()) {
    throw std::invalid_argument("score_batch: docs, requests and outputs must have the same length");
  }
  std::vector<double> doc_timeouts(docs.size(), policy.timeout_s);
  if (policy.rule == ExecutionPolicy::Rule::EvalPlus) {
    // The reference gets a generous limit: its time sets the others', it is not being judged.
    std::vector<std::string> references;
    for (const Doc* doc : docs) references.push_back(program(*doc, reference(*doc)));
    const auto timed = run_python_programs(references, policy.limits(std::max(60.0, policy.timeout_s)), workers);
    for (size_t i = 0; i < docs.size(); ++i) doc_timeouts[i] = policy.timeout_for_reference(timed[i].wall_seconds);
  }
  std::vector<std::string> programs;
  std::vector<SandboxLimits> limits;
  std::vector<ScoredSample> scored(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    require_texts(task, requests[i], outputs[i]);
    scored[i].filtered = Json::array();
    for (const std::string& raw : outputs[i].texts) {
      const std::string completion = extract(raw, requests[i]);
      scored[i].filtered.push_back(completion);
      programs.push_back(program(*docs[i], completion));
      limits.push_back(policy.limits(doc_timeouts[i]));
    }
  }
  const std::vector<SandboxResult> results = run_python_programs(programs, limits, workers);
  size_t next = 0;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const int n = static_cast<int>(outputs[i].texts.size());
    int passed = 0;
    Json statuses = Json::array();
    for (int s = 0; s < n; ++s, ++next) {
      passed += results[next].passed;
      statuses.push_back(results[next].status);
    }
    scored[i].metrics["pass@1"] = pass_at_k(n, passed, 1);
    for (int k : extra_k) {
      // A doc with fewer samples than k cannot estimate pass@k; the command checks counts agree.
      if (k <= n) scored[i].metrics["pass@" + std::to_string(k)] = pass_at_k(n, passed, k);
    }
    scored[i].filtered = Json{{"completions", scored[i].filtered}, {"status", statuses}, {"timeout_s", doc_timeouts[i]}};
  }
  return scored;
}

ScoredSample score_numeric_answers(const TaskRequest& request, const TaskOutput& output, const std::string& gold,
                                   const std::function<std::optional<std::string>(const std::string&)>& extract_strict) {
  double strict_sum = 0, flexible_sum = 0, invalid_sum = 0;
  Json filtered = Json::array();
  for (const std::string& raw : output.texts) {
    const std::string text = truncate_at_stops(raw, request.stop_strings);
    const std::optional<std::string> strict = extract_strict(text);
    const std::optional<std::string> flexible = extract_last_number(text);
    strict_sum += strict && numbers_equal(*strict, gold);
    flexible_sum += flexible && numbers_equal(*flexible, gold);
    invalid_sum += !strict;
    filtered.push_back({{"strict", strict ? Json(*strict) : Json(nullptr)},
                        {"flexible", flexible ? Json(*flexible) : Json(nullptr)}});
  }
  const double n = static_cast<double>(output.texts.size());
  ScoredSample scored;
  scored.metrics = {{"exact_match_strict", strict_sum / n},
                    {"exact_match_flexible", flexible_sum / n},
                    {"invalid_extraction", invalid_sum / n}};
  scored.filtered = std::move(filtered);
  return scored;
}

std::vector<std::string> numeric_answer_metric_names() {
  return {"exact_match_strict", "exact_match_flexible", "invalid_extraction"};
}

std::vector<std::string> pass_at_k_metric_names(const std::vector<int>& extra_k) {
  std::vector<std::string> names{"pass@1"};
  for (int k : extra_k) names.push_back("pass@" + std::to_string(k));
  return names;
}

}  // namespace dlmeval
