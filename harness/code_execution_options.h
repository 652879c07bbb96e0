#pragma once
// The code tasks' execution limits on the command line, the same for `run` and `score`
// (scorers/execution_policy.h says what each rule means).
#include <CLI/CLI.hpp>
#include <string>

#include "harness/evaluation_run.h"
#include "tasks/task.h"

namespace dlmeval {

struct CodeExecutionArgs {
  std::string rule = "fixed";
  double timeout_s = 0;  // 0: the rule's default (fixed 3 s, evalplus 4 s)

  void apply(TaskOptions& options) const;
  void apply(RunOptions& options) const;
};

void add_code_execution_options(CLI::App& app, CodeExecutionArgs& args);

}  // namespace dlmeval
