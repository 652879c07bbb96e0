// dlmeval report RUN... --html FILE: one self-contained HTML report.
#include <cstdio>

#include "harness/command_registry.h"
#include "harness/core/json_io.h"
#include "results/report.h"

namespace {

struct ReportArgs {
  std::vector<std::string> runs;
  std::string html;
  size_t max_samples = 0;
  std::string title = "dlmeval report";
  std::string cost_unit = "flops";
};

const bool registered = dlmeval::register_command(
    {"report", "Write a self-contained HTML report (summary, chart, sample browser, manifests)",
     [](CLI::App& sub) -> std::function<int()> {
       auto args = std::make_shared<ReportArgs>();
       sub.add_option("runs", args->runs, "Run dirs")->required();
       sub.add_option("--html", args->html, "Output HTML file")->required();
       sub.add_option("--max-samples", args->max_samples, "Samples embedded per task x protocol (0 = all)");
       sub.add_option("--title", args->title, "Page title");
       sub.add_option("--cost-unit", args->cost_unit, "x axis of the score-against-cost chart")
           ->check(CLI::IsMember({"flops", "seconds", "passes"}))
           ->capture_default_str();
       return [args] {
         std::vector<dlmeval::LoadedRun> runs;
         for (const auto& dir : args->runs) runs.push_back(dlmeval::load_run(dir));
         dlmeval::ReportOptions options;
         options.max_samples_per_evaluation = args->max_samples;
         options.title = args->title;
         options.cost_unit = *dlmeval::parse_cost_unit(args->cost_unit);
         dlmeval::write_text_file_atomic(args->html, dlmeval::render_html_report(runs, options));
         std::printf("wrote %s\n", args->html.c_str());
         return 0;
       };
     }});

}  // namespace
