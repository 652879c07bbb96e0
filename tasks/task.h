#pragma once
// A task turns benchmark files into requests and scores outputs. Tasks are data-driven where the
// benchmark allows (prompt templates, few-shot selection, stop strings, scorer names).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "harness/core/records.h"

namespace dlmeval {

struct TaskOptions {
  std::string data_dir;                 // root of the data directory (see tasks/README.md)
  std::optional<int> num_fewshot;       // overrides the task's default shots
  std::optional<size_t> limit;          // first N docs only
  uint64_t fewshot_seed = 1234;         // deterministic few-shot selection
  int samples = 1;                      // code tasks: completions per doc (pass@k needs n > 1)
  bool allow_unsandboxed_code = false;  // code tasks: weaker process-only sandbox if bubblewrap fails
  int code_workers = 2;
  std::string code_timeout_rule = "fixed";  // code tasks: scorers/execution_policy.h
  std::optional<double> code_timeout_s;     // code tasks: overrides the rule's default limit
  // Task files (or folders of them) defining tasks beyond the shipped ones (tasks/README.md).
  std::vector<std::string> task_files;
};

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string name() const = 0;
  virtual std::string version() const = 0;
  virtual RequestKind kind() const = 0;
  virtual const std::vector<Doc>& docs() const = 0;  // after --limit
  virtual TaskRequest build_request(const Doc& doc) const = 0;
  // Pure and deterministic for generation and choice tasks; code tasks run the sandbox.
  virtual ScoredSample score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const = 0;
  // Batch scoring (code tasks run programs in parallel workers); default loops over score().
  virtual std::vector<ScoredSample> score_batch(const std::vector<const Doc*>& docs,
                                                const std::vector<TaskRequest>& requests,
                                                const std::vector<TaskOutput>& outputs) const;
  // Names of the task-level metrics, in display order; all are means over docs.
  virtual std::vector<std::string> metric_names() const = 0;
  // Data files read, for the manifest (sha256 of each is recorded).
  virtual std::vector<std::string> data_files() const = 0;
  // Settings of the scoring that can move a number (code tasks: the execution limits), recorded in
  // the run manifest and compared on resume; empty for tasks whose scoring has none.
  virtual Json scoring_settings() const { return Json::object(); }
  // Hash of all rendered prompts (contexts + continuations + stop strings) of the selected docs.
  std::string prompt_fingerprint() const;
};

// Creates a task by name (e.g. "gsm8k", "bbh", "bbh_date_understanding", "mmlu", "arc_challenge"),
// from options.task_files, the shipped task files (tasks/definitions) or the C++ families;
// UserError for an unknown name or a missing/malformed data file, naming it.
// `name` may be lm-eval's name of the same task (canonical_task_name); the task reports dlmeval's.
std::unique_ptr<Task> make_task(const std::string& name, const TaskOptions& options);
// dlmeval's name for a task given by another harness's name (lm-eval's bbh_cot_fewshot_<subtask> is
// bbh_<subtask>); other names are returned unchanged.
std::string canonical_task_name(const std::string& name);
// (alias, dlmeval name) for every alias canonical_task_name knows.
std::vector<std::pair<std::string, std::string>> task_aliases();
// Every task name make_task accepts, with a one-line description; tasks of `task_files` last.
std::vector<std::pair<std::string, std::string>> list_tasks(const std::vector<std::string>& task_files = {});
// The data directory: explicit value, else $DLMEVAL_DATA, else ../shared/data relative to the cwd.
std::string resolve_data_dir(const std::string& explicit_dir);

}  // namespace dlmeval
