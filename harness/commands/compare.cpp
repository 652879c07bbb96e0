// dlmeval compare RUN...: tasks x run/protocol side by side, with paired differences.
#include <cstdio>

#include "harness/command_registry.h"
#include "harness/core/json_io.h"
#include "results/compare.h"

namespace {

struct CompareArgs {
  std::vector<std::string> runs;
  std::string json_out;
  std::string markdown_out;
  double confidence = 0.95;
  int resamples = 2000;
  uint64_t seed = 1234;
};

const bool registered = dlmeval::register_command(
    {"compare", "Compare run dirs side by side: deltas, paired bootstrap CIs, McNemar p-values",
     [](CLI::App& sub) -> std::function<int()> {
       auto args = std::make_shared<CompareArgs>();
       sub.add_option("runs", args->runs, "Run dirs (the first run's column is the baseline of each task)")
           ->required();
       sub.add_option("--json", args->json_out, "Also write the comparison as JSON to this file");
       sub.add_option("--markdown", args->markdown_out, "Also write the markdown to this file");
       sub.add_option("--confidence", args->confidence, "Confidence level of the intervals")->check(CLI::Range(0.5, 0.999));
       sub.add_option("--resamples", args->resamples, "Bootstrap resamples")->check(CLI::Range(100, 1000000));
       sub.add_option("--seed", args->seed, "Seed of the resampling");
       return [args] {
         std::vector<dlmeval::LoadedRun> runs;
         for (const auto& dir : args->runs) runs.push_back(dlmeval::load_run(dir));
         dlmeval::CompareOptions options;
         options.paired.confidence = args->confidence;
         options.paired.bootstrap_resamples = args->resamples;
         options.paired.seed = args->seed;
         dlmeval::CompareReport report = dlmeval::compare_runs(runs, options);
         std::string markdown = report.to_markdown();
         std::fputs(markdown.c_str(), stdout);
         if (!args->json_out.empty()) dlmeval::write_json_file_atomic(args->json_out, report.to_json());
         if (!args->markdown_out.empty()) dlmeval::write_text_file_atomic(args->markdown_out, markdown);
         return 0;
       };
     }});

}  // namespace
