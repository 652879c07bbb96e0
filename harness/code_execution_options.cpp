#include "harness/code_execution_options.h"

namespace dlmeval {

namespace {
template <typename Options>
void apply_to(const CodeExecutionArgs& args, Options& options) {
  options.code_timeout_rule = args.rule;
  if (args.timeout_s > 0) options.code_timeout_s = args.timeout_s;
}
}  // namespace

void CodeExecutionArgs::apply(TaskOptions& options) const { apply_to(*this, options); }
void CodeExecutionArgs::apply(RunOptions& options) const { apply_to(*this, options); }

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
