// `dlmeval demo`: the whole product on the embedded default. Trains the toy model when it is not
// cached yet, evaluates it on the toy suite under fixed- and variable-length generation and under
// Monte-Carlo ELBO and confidence scoring, and prints the side-by-side table with costs. Then the
// long-answer task under the exact LLaDA protocol, iLLaDA variable length and the fast protocols
// (threshold, dual cache): scores, paired differences, speed-ups, costs and collapse, a report and
// a regress JUnit file for switching to the fastest protocol.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "harness/command_registry.h"
#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "harness/evaluation_run.h"
#include "harness/progress.h"
#include "results/aggregate.h"
#include "results/compare.h"
#include "results/regress.h"
#include "results/report.h"
#include "results/run_dir.h"
#include "runners/training/trainer.h"
#include "tasks/toy_suite.h"

namespace fs = std::filesystem;

namespace {

struct DemoArgs {
  std::string cache_dir, out;
  int threads = 1;  // the toy model is too small to gain from more; extra threads only contend
  size_t limit = 0;
  uint64_t seed = 1234;
};

std::string default_cache_dir() {
  if (const char* env = std::getenv("DLMEVAL_CACHE")) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME")) return std::string(xdg) + "/dlmeval";
  if (const char* home = std::getenv("HOME")) return std::string(home) + "/.cache/dlmeval";
  return ".dlmeval-cache";
}

// Chance level of a task's headline metric: a uniform guess among 4 options; generation and
// code tasks have no meaningful guess rate (an exact number or a passing program).
double chance_level(const std::string& task) { return task == "toy_choice" ? 0.25 : 0.0; }

// The evaluations of one protocol only, so that regress pairs it with another protocol's.
dlmeval::LoadedRun only_protocol(const dlmeval::LoadedRun& run, const std::string& protocol) {
  dlmeval::LoadedRun view = run;
  view.evaluations.clear();
  for (const auto& e : run.evaluations)
    if (e.protocol == protocol) view.evaluations.push_back(e);
  view.label = run.label + "/" + protocol;
  return view;
}

double share(const dlmeval::CollapseSummary& c, const char* name) {
  auto it = c.shares.find(name);
  return it == c.shares.end() ? 0.0 : it->second;
}

// Score with its standard error, the paired difference against the first (exact) protocol, the
// speed-up in wall time and in FLOPs, the cost per doc and the collapse diagnostics.
void print_long_answer_comparison(const dlmeval::LoadedRun& run) {
  const dlmeval::CompareReport compared = dlmeval::compare_runs({run});
  const dlmeval::RunSummary summary = dlmeval::summarize_run(run);
  if (summary.evaluations.empty()) return;
  const dlmeval::EvaluationSummary& exact = summary.evaluations.front();
  std::printf("\n%-26s %-15s %-13s %-30s %-8s %-9s %-7s %-7s %-9s %-6s %-6s %-7s\n", "protocol", "exact ± se",
              "items ± se", "Δ vs exact [95% CI] p", "speed-up", "MFLOP/doc", "calls", "tok/call", "s/doc",
              "empty", "limit", "invalid");
  std::printf("%s\n", std::string(160, '-').c_str());
  for (size_t i = 0; i < summary.evaluations.size(); ++i) {
    const auto& e = summary.evaluations[i];
    const dlmeval::MetricSummary* em = e.find("exact_match");
    const dlmeval::MetricSummary* items = e.find("item_accuracy");
    if (em == nullptr || items == nullptr) continue;
    std::string delta = "(baseline)";
    for (const auto& d : compared.deltas) {
      if (d.column == i && d.metric == "exact_match") {
        delta = fmt::format("{} [{}, {}] p={:.3f}", dlmeval::format_delta(d.paired.delta, true),
                            dlmeval::format_delta(d.paired.ci_lower, true), dlmeval::format_delta(d.paired.ci_upper, true),
                            d.paired.p_value);
      }
    }
    const double speedup = e.cost.seconds > 0 ? exact.cost.seconds / e.cost.seconds : 0.0;
    std::printf("%-26s %-15s %-13s %-30s %-8s %-9.1f %-7.1f %-8.2f %-9.4f %-6.3f %-6.3f %-7.3f\n", e.protocol.c_str(),
                fmt::format("{:.3f} ± {:.3f}", em->value, em->stderr_value).c_str(),
                fmt::format("{:.3f} ± {:.3f}", items->value, items->stderr_value).c_str(), delta.c_str(),
                fmt::format("{:.2f}x", speedup).c_str(), e.cost.flops / 1e6, e.cost.forward_passes,
                e.cost.tokens_per_call, e.cost.seconds, share(e.collapse, "empty_output"),
                share(e.collapse, "length_limit"), share(e.collapse, "invalid_extraction"));
  }
}

// The CI gate on switching from the exact protocol to the fastest one: regress's JUnit file.
std::string write_fast_protocol_gate(const dlmeval::LoadedRun& run, const std::string& dir) {
  if (run.evaluations.size() < 2) return "";
  const dlmeval::RegressResult gate =
      dlmeval::regress(only_protocol(run, run.evaluations.front().protocol), only_protocol(run, run.evaluations.back().protocol));
  const std::string junit = dir + "/regress-" + run.evaluations.back().protocol + ".xml";
  dlmeval::write_text_file_atomic(junit, gate.to_junit_xml());
  dlmeval::write_text_file_atomic(dir + "/regress-" + run.evaluations.back().protocol + ".md", gate.to_markdown());
  std::printf("\nregress %s -> %s: %zu of %zu checks regress (exit code %d)\n", run.evaluations.front().protocol.c_str(),
              run.evaluations.back().protocol.c_str(), gate.regression_count(), gate.checks.size(), gate.exit_code());
  return junit;
}

int run_demo(const DemoArgs& a) {
  const fs::path cache = a.cache_dir.empty() ? default_cache_dir() : a.cache_dir;
  fs::create_directories(cache);
  const std::string data_dir = (cache / "toy-data").string();
  dlmeval::write_toy_suite(data_dir, dlmeval::kToySuiteDefaultSeed);

  std::vector<dlmeval::TrainExample> corpus;
  for (const auto& e : dlmeval::toy_training_examples(data_dir)) corpus.push_back({e.family, e.prompt, e.response, e.response_length});
  dlmeval::TrainOptions train;
  train.threads = a.threads;
  train.steps = 1500;  // toy_count's long answers need it: item accuracy 0.36 after 1000 steps, 0.77 after 1500
  std::printf("dlmeval demo: toy model cache %s\n", cache.string().c_str());
  std::fflush(stdout);  // progress goes to stderr; keep the two in order
  std::unique_ptr<dlmeval::Progress> bar;
  int64_t last_step = 0;
  const auto train_started = std::chrono::steady_clock::now();
  const std::string model = dlmeval::ensure_toy_model(cache.string(), corpus, train, [&](const dlmeval::TrainProgress& p) {
    if (!bar) bar = std::make_unique<dlmeval::Progress>("training toy model", static_cast<size_t>(p.steps));
    bar->advance(static_cast<size_t>(p.step - last_step));
    last_step = p.step;
  });
  if (bar) {
    bar->finish();
    std::printf("trained in %.0f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - train_started).count());
  }
  std::printf("model: %s\n", model.c_str());
  std::fflush(stdout);

  dlmeval::RunOptions run;
  run.model_dir = model;
  run.runtime.threads = a.threads;
  run.tasks = {"toy_arith", "toy_choice", "toy_code"};
  const std::string presets = dlmeval::presets_dir() + "/protocols/toy/";
  run.protocols = {presets + "toy-llada-fixed.json", presets + "toy-illada-varlen.json", presets + "toy-mc-elbo.json",
                   presets + "toy-conf-single.json"};
  run.out_dir = a.out.empty() ? (cache / "demo-run").string() : a.out;
  run.data_dir = data_dir;
  run.seed = a.seed;
  if (a.limit > 0) run.limit = a.limit;
  // A fresh run each time, so the table's costs are measured, not resumed.
  fs::remove_all(run.out_dir);
  auto report = dlmeval::execute_run(run, dlmeval::open_libtorch_runner);

  // Each task's headline metric is the first it names (results/aggregate.h keeps that order).
  auto loaded = dlmeval::load_run(run.out_dir);
  const dlmeval::RunSummary summary = dlmeval::summarize_run(loaded);
  std::printf("\n%-11s %-20s %-19s %-16s %-7s %-11s %-10s %-8s\n", "task", "protocol", "metric", "value ± se", "chance",
              "fwd/doc", "MFLOP/doc", "s/doc");
  std::printf("%s\n", std::string(109, '-').c_str());
  for (const auto& e : summary.evaluations) {
    if (e.metrics.empty()) continue;
    const auto& m = e.metrics.front();
    std::printf("%-11s %-20s %-19s %-16s %-7.2f %-11.1f %-10.1f %-8.3f\n", e.task.c_str(), e.protocol.c_str(),
                m.name.c_str(), fmt::format("{:.3f} ± {:.3f}", m.value, m.stderr_value).c_str(), chance_level(e.task),
                e.cost.forward_passes, e.cost.flops / 1e6, e.cost.seconds);
  }

  // Long answers: where fast decoding matters, the exact protocol against the fast ones.
  dlmeval::RunOptions long_run = run;
  long_run.tasks = {"toy_count"};
  long_run.protocols = {presets + "toy-count-llada.json", presets + "toy-count-illada-varlen.json",
                        presets + "toy-count-threshold.json", presets + "toy-count-dual-cache.json"};
  long_run.out_dir = run.out_dir + "-long";
  fs::remove_all(long_run.out_dir);
  std::printf("\nLong answers (toy_count, 17-21 numbers, 64+ tokens): the exact LLaDA protocol against iLLaDA variable length "
              "and the fast protocols\n");
  std::fflush(stdout);
  auto long_report = dlmeval::execute_run(long_run, dlmeval::open_libtorch_runner);
  auto long_loaded = dlmeval::load_run(long_run.out_dir);
  print_long_answer_comparison(long_loaded);

  const std::string html = run.out_dir + "/report.html";
  dlmeval::ReportOptions options;
  options.title = "dlmeval demo: toy suite";
  dlmeval::write_text_file_atomic(html, dlmeval::render_html_report({loaded, long_loaded}, options));
  const std::string junit = write_fast_protocol_gate(long_loaded, long_run.out_dir);
  std::printf("\n%zu docs evaluated in %.1f s (%.1f s of them long answers). Samples, manifests and summaries: %s, %s\n"
              "HTML report: %s\nregress JUnit: %s\n",
              report.docs_run + long_report.docs_run, report.seconds + long_report.seconds, long_report.seconds,
              run.out_dir.c_str(), long_run.out_dir.c_str(), html.c_str(), junit.c_str());
  return 0;
}

const bool registered = dlmeval::register_command(
    {"demo", "Train (once) and evaluate the embedded toy model on the toy suite, protocols side by side",
     [](CLI::App& app) -> std::function<int()> {
       auto a = std::make_shared<DemoArgs>();
       app.add_option("--cache-dir", a->cache_dir, "Where the toy model and data live (default ~/.cache/dlmeval)");
       app.add_option("--out", a->out, "Run folder (default <cache>/demo-run)");
       app.add_option("--threads", a->threads, "CPU threads (0 = all cores)")->capture_default_str();
       app.add_option("--limit", a->limit, "Only the first N docs of each toy task");
       app.add_option("--seed", a->seed, "Run seed")->capture_default_str();
       return [a] { return run_demo(*a); };
     }});

}  // namespace
