// `dlmeval sweep`: a protocol ablation as one resumable run, with its table and a chart of score
// against cost (forward passes).
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "harness/command_registry.h"
#include "harness/core/error.h"
#include "harness/core/protocol_grid.h"
#include "harness/evaluation_options.h"
#include "results/report.h"
#include "results/run_dir.h"

namespace fs = std::filesystem;

namespace {

struct SweepArgs {
  dlmeval::EvaluationArgs evaluation;
  std::string grid;
};

int run_sweep(const SweepArgs& a) {
  using dlmeval::Json;
  Json grid = dlmeval::read_json_file(a.grid);
  if (!grid.is_object() || !grid.contains("tasks") || !grid["tasks"].is_array() || grid["tasks"].empty())
    throw dlmeval::UserError(a.grid + ": needs \"tasks\": [names], \"base\": protocol or preset name, \"axes\": {...}");
  Json base = grid.value("base", Json());
  if (base.is_string()) base = dlmeval::resolve_protocol(base.get<std::string>()).protocol.settings;
  const std::string prefix = grid.value("name", fs::path(a.grid).stem().string());
  auto points = dlmeval::expand_protocol_grid(base, grid.value("axes", Json()), prefix, a.grid);

  dlmeval::RunOptions run = a.evaluation.run_options();
  for (const auto& t : grid["tasks"]) run.tasks.push_back(t.get<std::string>());
  if (!run.limit && grid.contains("limit")) run.limit = grid["limit"].get<size_t>();
  const std::string& out = run.out_dir;
  const fs::path protocol_dir = fs::path(out) / "protocols";
  fs::create_directories(protocol_dir);
  for (const auto& p : points) {
    Json file = p.settings;
    file["name"] = p.name;
    const std::string path = (protocol_dir / (p.name + ".json")).string();
    dlmeval::write_json_file_atomic(path, file);
    run.protocols.push_back(path);
  }
  auto report = dlmeval::execute_run(run, dlmeval::open_libtorch_runner);

  Json summary = dlmeval::read_json_file(out + "/summary.json");
  std::string table = "| task | protocol | metric | value | stderr | forward passes/doc | s/doc |\n|---|---|---|---:|---:|---:|---:|\n";
  for (const auto& r : summary["results"]) {
    for (const auto& [metric, m] : r["metrics"].items()) {
      const double docs = std::max(1.0, r["n_docs"].get<double>());
      table += fmt::format("| {} | {} | {} | {:.4f} | {:.4f} | {:.1f} | {:.3f} |\n", r["task"].get<std::string>(),
                           r["protocol"].get<std::string>(), metric, m["value"].get<double>(),
                           m["stderr"].get<double>(), r["mean_forward_passes"].get<double>(),
                           r["total_seconds"].get<double>() / docs);
    }
  }
  dlmeval::write_text_file_atomic(out + "/sweep.md", "# Sweep " + prefix + "\n\n" + table);
  auto loaded = dlmeval::load_run(out);
  dlmeval::write_text_file_atomic(out + "/sweep.svg", dlmeval::render_cost_chart_svg({loaded}, dlmeval::CostUnit::Flops));
  std::printf("%s\n%zu grid points, %zu docs evaluated, %zu resumed; table %s/sweep.md, chart %s/sweep.svg\n",
              table.c_str(), points.size(), report.docs_run, report.docs_resumed, out.c_str(), out.c_str());
  return 0;
}

const bool registered = dlmeval::register_command(
    {"sweep", "Protocol ablation over a grid (one resumable run) with its table and a score-vs-cost chart",
     [](CLI::App& app) -> std::function<int()> {
       auto a = std::make_shared<SweepArgs>();
       dlmeval::add_evaluation_options(app, a->evaluation);
       app.add_option("--grid", a->grid,
                      "Grid JSON: {\"tasks\": [...], \"base\": {protocol} | \"preset\", \"axes\": {\"steps\": [64, 128]}}")
           ->required();
       return [a] { return run_sweep(*a); };
     }});

}  // namespace
