#pragma once
// The options of the commands that evaluate a model on tasks (`run`, `sweep`): the model's, the run
// folder, the data, and how much and in what batches; declared once so the commands cannot drift.
#include <CLI/CLI.hpp>

#include "harness/evaluation_run.h"
#include "harness/runtime_options.h"

namespace dlmeval {

struct EvaluationArgs {
  ModelArgs model;
  std::string out, data_dir;
  std::vector<std::string> task_files;
  size_t limit = 0;  // 0: every doc
  size_t batch_size = 8;
  uint64_t seed = 1234;
  bool quiet = false;
  // RunOptions with these filled in; the command adds tasks and protocols.
  RunOptions run_options() const;
};

void add_evaluation_options(CLI::App& app, EvaluationArgs& args);

}  // namespace dlmeval
