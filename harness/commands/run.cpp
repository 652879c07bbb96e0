// dlmeval run: evaluates a model on tasks x protocols (or a suite), resumably, one shard at a time.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "harness/code_execution_options.h"
#include "harness/command_registry.h"
#include "harness/core/error.h"
#include "harness/device_workers.h"
#include "harness/evaluation_options.h"
#include "harness/launcher_shard.h"
#include "harness/run_plan.h"
#include "results/aggregate.h"

namespace {

struct RunArgs {
  dlmeval::EvaluationArgs evaluation;
  std::string tasks, suite, shard = "0/1";
  std::vector<std::string> completed_from;
  std::string devices;
  std::vector<std::string> protocols;
  int num_fewshot = -1;
  bool allow_unsandboxed = false, dry_run = false;
  dlmeval::CodeExecutionArgs code_execution;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// --devices: the plan is checked here, once, before any worker starts.
int run_on_devices(const RunArgs& a, const dlmeval::RunOptions& o) {
  if (a.shard != "0/1") throw dlmeval::UserError("--devices makes the shards itself; do not also give --shard");
  const dlmeval::RunPlan plan = dlmeval::build_plan(o);
  dlmeval::DeviceWorkers workers;
  workers.binary = std::filesystem::read_symlink("/proc/self/exe").string();
  const auto& line = dlmeval::command_line();
  const auto run_word = std::find(line.begin(), line.end(), "run");
  workers.run_args = dlmeval::worker_arguments(std::vector<std::string>(run_word + 1, line.end()));
  workers.devices = dlmeval::parse_devices(a.devices, dlmeval::cuda_device_count());
  workers.run_dir = o.out_dir;
  for (const auto& ev : plan.evaluations) workers.total_docs += ev.task->docs().size();
  workers.quiet = o.quiet;
  const dlmeval::RunManifest merged = dlmeval::run_on_devices(workers);
  std::printf("%zu shards on %s merged into %s/merged (%zu evaluations)\n", workers.devices.size(), a.devices.c_str(),
              o.out_dir.c_str(), merged.evaluations.size());
  return 0;
}

const bool registered = dlmeval::register_command(
    {"run", "Evaluate a model on tasks under one or more protocols (resumable; every sample kept)",
     [](CLI::App& app) -> std::function<int()> {
       auto a = std::make_shared<RunArgs>();
       dlmeval::add_evaluation_options(app, a->evaluation);
       app.add_option("--tasks", a->tasks,
                      "Comma-separated task names (see `dlmeval tasks`); with --suite, only these of its tasks");
       app.add_option("--protocol", a->protocols, "Protocol preset name or JSON file; repeat for side-by-side runs");
       app.add_option("--suite", a->suite,
                      "Suite name or JSON file (see `dlmeval protocols`): the task × protocol × shots pairs of a "
                      "reported table, instead of --protocol");
       app.add_option("--num-fewshot", a->num_fewshot, "Override the tasks' few-shot count");
       app.add_option("--shard", a->shard,
                      "Run shard i of N (i/N), or `auto`: the launcher's (Slurm array or step, torchrun, Open MPI; "
                      "else 0/1); join shards with `dlmeval merge`")
           ->capture_default_str();
       dlmeval::add_code_execution_options(app, a->code_execution);
       app.add_flag("--allow-unsandboxed", a->allow_unsandboxed,
                    "Run generated code without bubblewrap when it cannot start (weaker isolation)");
       app.add_option("--completed-from", a->completed_from,
                      "Run folder of an earlier split of this run (repeatable): its finished docs of this shard are "
                      "taken over, not rerun (finish a 4-shard run on 2 shards)");
       app.add_option("--devices", a->devices,
                      "Run one worker per device, each on its own shard, and merge them into OUT/merged "
                      "(cuda:0,cuda:1 | all | cpu,cpu); shards in OUT/shards");
       app.add_flag("--dry-run", a->dry_run,
                    "Check everything and print the plan (task × protocol × docs) without loading the model");
       return [a] {
         dlmeval::RunOptions o = a->evaluation.run_options();
         o.tasks = split_list(a->tasks);
         o.protocols = a->protocols;
         if (!a->suite.empty()) o.suite = dlmeval::resolve_suite(a->suite);
         if (a->num_fewshot >= 0) o.num_fewshot = a->num_fewshot;
         if (a->shard == "auto") {
           const auto launched = dlmeval::shard_from_environment([](const char* name) { return std::getenv(name); });
           o.shard = launched.shard;
           o.runtime.device = dlmeval::device_for_local_rank(o.runtime.device, launched.local_rank);
         } else {
           o.shard = dlmeval::parse_shard(a->shard);
         }
         o.completed_from = a->completed_from;
         o.allow_unsandboxed_code = a->allow_unsandboxed;
         a->code_execution.apply(o);
         o.dry_run = a->dry_run;
         if (!a->devices.empty() && !o.dry_run) return run_on_devices(*a, o);
         auto report = dlmeval::execute_run(o, dlmeval::open_libtorch_runner);
         if (o.dry_run) {
           size_t total = 0;
           for (const auto& item : report.plan) {
             std::printf("%-24s %-36s %s %6zu docs\n", item.task.c_str(), item.protocol.c_str(),
                         item.protocol_fingerprint.c_str(), item.docs);
             total += item.docs;
           }
           std::printf("%zu evaluations, %zu docs in all (dry run: nothing loaded or written)\n", report.plan.size(), total);
           return 0;
         }
         std::printf("%zu docs evaluated, %zu resumed, %zu taken over, %.1f s; results in %s (summary.md, summary.json)\n",
                     report.docs_run, report.docs_resumed, report.docs_taken_over, report.seconds, o.out_dir.c_str());
         return 0;
       };
     }});

}  // namespace
