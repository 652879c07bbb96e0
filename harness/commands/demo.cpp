// `dlmeval demo`: the whole product on the embedded default. Trains the toy model when it is not
// cached yet, evaluates it on the toy suite under fixed- and variable-length generation and under
// Monte-Carlo ELBO and confidence scoring, and prints the side-by-side table with costs.
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

int run_demo(const DemoArgs& a) {
  const fs::path cache = a.cache_dir.empty() ? default_cache_dir() : a.cache_dir;
  fs::create_directories(cache);
  const std::string data_dir = (cache / "toy-data").string();
  dlmeval::write_toy_suite(data_dir, dlmeval::kToySuiteDefaultSeed);

  std::vector<dlmeval::TrainExample> corpus;
  for (const auto& e : dlmeval::toy_training_examples(data_dir)) corpus.push_back({e.family, e.prompt, e.response});
  dlmeval::TrainOptions train;
  train.threads = a.threads;
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
  std::printf("\n%-11s %-20s %-19s %-16s %-7s %-11s %-8s\n", "task", "protocol", "metric", "value ± se", "chance",
              "fwd/doc", "s/doc");
  std::printf("%s\n", std::string(98, '-').c_str());
  for (const auto& e : summary.evaluations) {
    if (e.metrics.empty()) continue;
    const auto& m = e.metrics.front();
    const double docs = std::max<double>(1.0, static_cast<double>(e.n_docs));
    std::printf("%-11s %-20s %-19s %-16s %-7.2f %-11.1f %-8.3f\n", e.task.c_str(), e.protocol.c_str(), m.name.c_str(),
                fmt::format("{:.3f} ± {:.3f}", m.value, m.stderr_value).c_str(), chance_level(e.task),
                e.mean_forward_passes, e.total_seconds / docs);
  }
  const std::string html = run.out_dir + "/report.html";
  dlmeval::ReportOptions options;
  options.title = "dlmeval demo: toy suite";
  dlmeval::write_text_file_atomic(html, dlmeval::render_html_report({loaded}, options));
  std::printf("\n%zu docs evaluated in %.1f s. Samples, manifest and summary: %s\nHTML report: %s\n", report.docs_run,
              report.seconds, run.out_dir.c_str(), html.c_str());
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
