// dlmeval regress --baseline RUN --candidate RUN: the CI gate.
// Exit 0: pass; 1: a significant drop beyond --max-drop, or a collapse share rising beyond
// --max-collapse-rise; 2: data or prompts differ (not comparable).
#include <cstdio>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/command_registry.h"
#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "results/regress.h"

namespace {

struct RegressArgs {
  std::string baseline;
  std::string candidate;
  double max_drop = 1.0;
  double alpha = 0.05;
  double max_collapse_rise = 1.0;
  bool no_collapse_gate = false;
  std::vector<std::string> metrics;
  std::string junit;
  std::string markdown;
  uint64_t seed = 1234;
};

const bool registered = dlmeval::register_command(
    {"regress", "Fail (exit 1) when a candidate run drops significantly below a baseline run",
     [](CLI::App& sub) -> std::function<int()> {
       auto args = std::make_shared<RegressArgs>();
       sub.add_option("--baseline", args->baseline, "Baseline run dir")->required();
       sub.add_option("--candidate", args->candidate, "Candidate run dir")->required();
       sub.add_option("--max-drop", args->max_drop,
                      "Allowed drop in percentage points ([0,1] metrics) or metric units (others); default 1.0")
           ->check(CLI::NonNegativeNumber);
       sub.add_option("--alpha", args->alpha, "Significance level of the paired test; default 0.05")
           ->check(CLI::Range(1e-9, 0.5));
       sub.add_option("--metric", args->metrics, "Gate only these metrics (repeatable); default: all shared metrics");
       sub.add_option("--max-collapse-rise", args->max_collapse_rise,
                      "Allowed rise, in points, of a collapse share of generation answers (empty, whitespace, at "
                      "the length limit, invalid extraction); default 1.0")
           ->check(CLI::NonNegativeNumber);
       sub.add_flag("--no-collapse-gate", args->no_collapse_gate, "Gate the metrics only, not the collapse shares");
       sub.add_option("--junit", args->junit, "Write a JUnit XML report here");
       sub.add_option("--markdown", args->markdown, "Write a markdown summary here");
       sub.add_option("--seed", args->seed, "Seed of the resampling tests");
       return [args] {
         dlmeval::RegressOptions options;
         options.max_drop_points = args->max_drop;
         options.alpha = args->alpha;
         options.metrics = args->metrics;
         options.max_collapse_rise_points = args->max_collapse_rise;
         options.gate_collapse = !args->no_collapse_gate;
         options.paired.seed = args->seed;
         dlmeval::RegressResult result =
             dlmeval::regress(dlmeval::load_run(args->baseline), dlmeval::load_run(args->candidate), options);
         std::string markdown = result.to_markdown();
         if (!args->junit.empty()) dlmeval::write_text_file_atomic(args->junit, result.to_junit_xml());
         if (!args->markdown.empty()) dlmeval::write_text_file_atomic(args->markdown, markdown);
         std::fputs(markdown.c_str(), stdout);
         if (!result.mismatches.empty()) {
           throw dlmeval::UserError(fmt::format("baseline and candidate are not comparable: {}",
                                                fmt::join(result.mismatches, "; ")),
                                    2);
         }
         return result.exit_code();
       };
     }});

}  // namespace
