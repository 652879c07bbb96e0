// dlmeval score: scores a predictions file written by any tool against a task's gold answers.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>

#include "harness/code_execution_options.h"
#include "harness/command_registry.h"
#include "harness/core/error.h"
#include "tasks/predictions.h"
#include "scorers/sandbox.h"
#include "tasks/task.h"

namespace dlmeval {
namespace {

struct ScoreArgs {
  std::string task;
  std::string predictions;
  std::string data_dir;
  std::vector<std::string> task_files;
  std::string output;
  bool allow_unsandboxed = false;
  dlmeval::CodeExecutionArgs code_execution;
  int workers = 2;
  int bootstrap = 1000;
  uint64_t seed = 1234;
};

int run_score(const ScoreArgs& args) {
  const std::vector<Prediction> predictions = read_predictions(args.predictions);
  TaskOptions options;
  options.data_dir = resolve_data_dir(args.data_dir);
  options.task_files = args.task_files;
  options.allow_unsandboxed_code = args.allow_unsandboxed;
  options.code_workers = args.workers;
  args.code_execution.apply(options);
  // pass@k compares docs only when each has the same number of samples n.
  size_t min_samples = SIZE_MAX, max_samples = 0;
  for (const Prediction& p : predictions) {
    min_samples = std::min(min_samples, p.output.texts.size());
    max_samples = std::max(max_samples, p.output.texts.size());
  }
  if (max_samples > 1) {
    if (min_samples != max_samples) {
      throw UserError(args.predictions + ": every line needs the same number of \"outputs\" (found " +
                      std::to_string(min_samples) + " to " + std::to_string(max_samples) + ")");
    }
    options.samples = static_cast<int>(max_samples);
  }
  const std::unique_ptr<Task> task = make_task(args.task, options);
  const ScoreReport report = score_predictions(*task, predictions, args.predictions, args.bootstrap, args.seed);

  if (!args.output.empty()) {
    std::string lines;
    for (const auto& entry : report.per_doc) {
      Json metrics = Json::object();
      for (const auto& [name, value] : entry.sample.metrics) metrics[name] = value;
      lines += Json{{"doc_id", entry.doc_id}, {"metrics", metrics}, {"filtered", entry.sample.filtered}}.dump() + "\n";
    }
    write_text_file_atomic(args.output, lines);
  }

  std::printf("task %s (version %s), %zu predictions\n", task->name().c_str(), task->version().c_str(),
              report.per_doc.size());
  const Json scoring = task->scoring_settings();
  if (!scoring.empty()) std::printf("scoring settings %s\n", scoring.dump().c_str());
  std::map<std::string, int64_t> statuses;
  for (const auto& entry : report.per_doc) count_program_statuses(entry.sample.filtered, statuses);
  if (!statuses.empty()) std::printf("programs: %s\n", format_status_counts(statuses).c_str());
  for (const PredictionMetric& metric : report.metrics) {
    std::printf("%-22s %.4f  ± %.4f (bootstrap stderr, n=%zu)\n", metric.name.c_str(), metric.mean,
                metric.stderr_bootstrap, metric.count);
  }
  return 0;
}

const bool registered = register_command(
    {"score", "Score a predictions file (JSON lines) against a task's gold answers",
     [](CLI::App& sub) -> std::function<int()> {
       auto args = std::make_shared<ScoreArgs>();
       sub.add_option("--task", args->task, "Task name (dlmeval tasks lists them)")->required();
       sub.add_option("--predictions", args->predictions,
                      "JSON lines: {\"doc_id\", \"output\"|\"outputs\"|\"loglik\"}")
           ->required();
       sub.add_option("--data-dir", args->data_dir, "Data directory (default: $DLMEVAL_DATA, else ../shared/data)");
       sub.add_option("--task-file", args->task_files, "Task file or folder defining --task (tasks/README.md)");
       sub.add_option("--output", args->output, "Write per-doc metrics here (JSON lines)");
       dlmeval::add_code_execution_options(sub, args->code_execution);
       sub.add_flag("--allow-unsandboxed", args->allow_unsandboxed,
                    "Code tasks: run without bubblewrap when it is unavailable (weaker isolation)");
       sub.add_option("--workers", args->workers, "Code tasks: programs run in parallel")->check(CLI::PositiveNumber);
       sub.add_option("--bootstrap", args->bootstrap, "Bootstrap resamples for the standard errors")
           ->check(CLI::PositiveNumber);
       sub.add_option("--seed", args->seed, "Bootstrap seed");
       return [args] { return run_score(*args); };
     }});

}  // namespace
}  // namespace dlmeval
