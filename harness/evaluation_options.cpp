#include "harness/evaluation_options.h"

namespace dlmeval {

RunOptions EvaluationArgs::run_options() const {
  RunOptions o;
  o.model_dir = model.model_dir;
  o.runtime = model.resolved();
  o.out_dir = out;
  o.data_dir = data_dir;
  o.task_files = task_files;
  if (limit > 0) o.limit = limit;
  o.batch_size = batch_size;
  o.seed = seed;
  o.quiet = quiet;
  return o;
}

void add_evaluation_options(CLI::App& app, EvaluationArgs& args) {
  add_model_options(app, args.model);
  app.add_option("--out", args.out, "Run folder (resumes when it already holds this run)")->required();
  app.add_option("--limit", args.limit, "Only the first N docs of each task");
  app.add_option("--seed", args.seed, "Run seed (each doc's seed derives from it)")->capture_default_str();
  app.add_option("--batch-size", args.batch_size, "Docs per runner call")->capture_default_str();
  app.add_option("--data-dir", args.data_dir, "Benchmark data folder (default $DLMEVAL_DATA, else ../shared/data)");
  app.add_option("--task-file", args.task_files,
                 "Task file (YAML or JSON, tasks/README.md) or folder of them; repeatable. Without --tasks, "
                 "their tasks are the ones run");
  app.add_flag("--quiet", args.quiet, "No progress output");
}

}  // namespace dlmeval
