#pragma once
// Shared plumbing for the task families: identity, the doc list after --limit, lookup of a doc's
// position by id, and lm-evaluation-harness's seeded few-shot draw.
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "scorers/execution_policy.h"
#include "tasks/task.h"

namespace dlmeval {

class BasicTask : public Task {
 public:
  BasicTask(std::string name, std::string version, RequestKind kind)
      : name_(std::move(name)), version_(std::move(version)), kind_(kind) {}

  std::string name() const override { return name_; }
  std::string version() const override { return version_; }
  RequestKind kind() const override { return kind_; }
  const std::vector<Doc>& docs() const override { return docs_; }
  std::vector<std::string> data_files() const override { return files_; }

 protected:
  // Keeps the first `options.limit` docs and indexes them by id (ids must be unique).
  void finish_docs(const TaskOptions& options);
  // Position of `doc` in docs(); UserError for an id this task does not hold.
  size_t index_of(const Doc& doc) const;
  // Number of shots: the override when given (validated against `available`), else the default.
  int shots(const TaskOptions& options, int default_shots, size_t available) const;

  std::vector<Doc> docs_;
  std::vector<std::string> files_;

 private:
  std::string name_;
  std::string version_;
  RequestKind kind_;
  std::unordered_map<std::string, size_t> index_;
};

// lm-eval's random few-shot sampler, reproduced exactly: one random.Random(seed), consumed doc by
// doc in evaluation order; each doc takes random.sample(pool, k) with k = num_fewshot, or
// num_fewshot + 1 when the pool is the evaluation set itself, dropping the doc's own record and
// keeping the first num_fewshot. Returns pool indices per evaluated doc.
// `is_same_record(pool_index, doc_index)` says whether a pool entry equals the evaluated doc
// (lm-eval compares the records by value); pass nullptr when the pool is a separate split.
std::vector<std::vector<size_t>> draw_fewshot(size_t pool_size, size_t n_docs, size_t num_fewshot, uint64_t seed,
                                              const std::function<bool(size_t, size_t)>& is_same_record);

// Runs the generic task-level checks shared by the scorers: the output has the right shape.
void require_texts(const Task& task, const TaskRequest& request, const TaskOutput& output);
void require_loglik(const Task& task, const TaskRequest& request, const TaskOutput& output, size_t n_options);

// Code tasks: per doc and sample, the completion `extract(raw, request)` and the program
// `program(doc, completion)` run in the sandbox under `policy` (with the evalplus rule, each doc's
// reference program, `program(doc, reference(doc))`, is timed first); sets each doc's pass@1,
// pass@k for every k in `extra_k` the doc has enough samples for, and filtered =
// {"completions", "status", "timeout_s"} (the limit each of the doc's programs had).
std::vector<ScoredSample> score_code_completions(
    const Task& task, const std::vector<const Doc*>& docs, const std::vector<TaskRequest>& requests,
    const std::vector<TaskOutput>& outputs,
    const std::function<std::string(const std::string& raw, const TaskRequest& request)>& extract,
    const std::function<std::string(const Doc& doc, const std::string& completion)>& program,
    const std::function<std::string(const Doc& doc)>& reference, const std::vector<int>& extra_k,
    const ExecutionPolicy& policy, int workers);
// Numeric-answer tasks (GSM8K style): per sample, the strict extraction (`extract_strict`) and the
// last number of the text cut at the stop strings, compared with `gold` numerically; metrics are
// exact_match_strict, exact_match_flexible and invalid_extraction averaged over the samples.
ScoredSample score_numeric_answers(const TaskRequest& request, const TaskOutput& output, const std::string& gold,
                                   const std::function<std::optional<std::string>(const std::string&)>& extract_strict);
std::vector<std::string> numeric_answer_metric_names();

// "pass@1" then "pass@k" for each k in `extra_k`.
std::vector<std::string> pass_at_k_metric_names(const std::vector<int>& extra_k);

}  // namespace dlmeval
