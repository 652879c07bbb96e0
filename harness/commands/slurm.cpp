// dlmeval slurm submit | status | resubmit: a run as a Slurm array over its shards plus a merge
// job (harness/slurm_jobs.h has the folder layout and the scripts).
#include <cstdio>

#include "harness/command_registry.h"
#include "harness/core/error.h"
#include "harness/slurm_jobs.h"

namespace {

struct SlurmArgs {
  std::string out;
  int shards = 0;
  std::vector<std::string> run_args;
  dlmeval::SlurmOptions slurm;
};

void add_job_options(CLI::App& app, dlmeval::SlurmOptions& o) {
  app.add_option("--partition", o.partition, "Slurm partition");
  app.add_option("--account", o.account, "Slurm account");
  app.add_option("--qos", o.qos, "Slurm QOS");
  app.add_option("--time", o.time, "Time limit of each shard job (Slurm syntax, e.g. 12:00:00)");
  app.add_option("--mem", o.mem, "Memory of each shard job (e.g. 64G)");
  app.add_option("--cpus-per-task", o.cpus_per_task, "CPUs of each shard job");
  app.add_option("--gpus-per-task", o.gpus_per_task, "GPUs of each shard job");
  app.add_option("--array-throttle", o.array_throttle, "At most this many shards run at once");
  app.add_option("--sbatch-line", o.sbatch_lines, "Extra #SBATCH line for the shard jobs (repeatable)")
      ->allow_extra_args(false);  // one line per flag, so a `--` right after it still starts the run arguments
  app.add_option("--dlmeval", o.dlmeval_binary, "dlmeval binary the jobs run (default: this one)");
}

void print_status(const std::string& run_dir) {
  int done = 0;
  const auto states = dlmeval::slurm_status(run_dir);
  for (const auto& s : states) {
    std::printf("shard %d  %-12s %s\n", s.index, s.state.c_str(), s.dir.c_str());
    done += s.state == "done";
  }
  std::printf("%d of %zu shards done\n", done, states.size());
}

const bool registered = dlmeval::register_command(
    {"slurm", "Run on a Slurm cluster: submit the shards as an array job and a merge job; status; resubmit",
     [](CLI::App& app) -> std::function<int()> {
       auto a = std::make_shared<SlurmArgs>();
       app.require_subcommand(1);
       CLI::App* submit = app.add_subcommand(
           "submit", "Write the job scripts into RUN/slurm and submit them: dlmeval slurm submit --out RUN "
                     "--shards N [job options] -- RUN_ARGUMENTS (those of dlmeval run, without --out and --shard)");
       submit->add_option("--out", a->out, "Run folder (shards in RUN/shards, the merged run in RUN/merged)")->required();
       submit->add_option("--shards", a->shards, "Number of shards (array tasks)")->required()->check(CLI::PositiveNumber);
       add_job_options(*submit, a->slurm);
       submit->add_option("run_args", a->run_args, "dlmeval run arguments, after --")->required();
       CLI::App* status = app.add_subcommand("status", "Shards done / running / pending / failed");
       status->add_option("run", a->out, "Run folder")->required();
       CLI::App* resubmit = app.add_subcommand(
           "resubmit", "Submit again the shards that are not done (with --shards M: re-split into M shards that "
                       "take over the finished docs)");
       resubmit->add_option("run", a->out, "Run folder")->required();
       resubmit->add_option("--shards", a->shards, "Re-split into this many shards")->check(CLI::PositiveNumber);
       add_job_options(*resubmit, a->slurm);
       return [a, submit, status, resubmit] {
         if (submit->parsed()) {
           const dlmeval::Json s = dlmeval::slurm_submit(a->out, a->shards, a->run_args, a->slurm);
           const auto& round = s["rounds"].back();
           std::printf("submitted array job %s (%d shards) and merge job %s; scripts in %s/slurm; merged run will be %s/merged\n",
                       round["array_job"].get<std::string>().c_str(), a->shards,
                       round["merge_job"].get<std::string>().c_str(), a->out.c_str(), a->out.c_str());
         } else if (status->parsed()) {
           print_status(a->out);
         } else if (resubmit->parsed()) {
           std::optional<int> shards;
           if (a->shards > 0) shards = a->shards;
           const dlmeval::Json s = dlmeval::slurm_resubmit(a->out, shards, a->slurm);
           const auto& round = s["rounds"].back();
           std::printf("resubmitted shards %s of %d as array job %s, merge job %s\n", round["indices"].dump().c_str(),
                       round["shards"].get<int>(), round["array_job"].get<std::string>().c_str(),
                       round["merge_job"].get<std::string>().c_str());
         }
         return 0;
       };
     }});

}  // namespace
