#pragma once
// A run on a Slurm cluster: one array job over the shards and a merge job that runs when the array
// ends. Layout of the run folder RUN:
//   RUN/shards/<i>-of-<N>/   one ordinary run folder per shard (`dlmeval run --shard i/N`)
//   RUN/merged/              the merged run (`dlmeval merge --allow-incomplete`), the one to read
//   RUN/slurm/               the job scripts, their logs, submission.json (what was submitted)
// The scripts are plain bash with #SBATCH lines, so a user can read, edit and sbatch them by hand.
#include <optional>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

struct SlurmOptions {
  std::string partition, account, time, mem, qos;
  int gpus_per_task = 0;
  int cpus_per_task = 0;
  int array_throttle = 0;                 // at most this many shards at once (0: no limit)
  std::vector<std::string> sbatch_lines;  // extra "#SBATCH ..." lines, written as given
  std::string dlmeval_binary;             // the dlmeval the jobs run (default: this one)
};

struct ShardState {
  int index = 0;
  std::string state;  // done, running, pending, failed, not started
  std::string dir;
};

// `run_args` are `dlmeval run` arguments without --out and --shard. Writes the scripts, submits the
// array and the merge job, records RUN/slurm/submission.json; returns it.
Json slurm_submit(const std::string& run_dir, int shards, const std::vector<std::string>& run_args,
                  const SlurmOptions& options);
// Each shard's state, from the run folder and squeue.
std::vector<ShardState> slurm_status(const std::string& run_dir);
// Submits again what is not finished. With `shards` other than the submitted count, the run is
// re-split: every new shard takes over the finished docs of the old ones (--completed-from).
Json slurm_resubmit(const std::string& run_dir, std::optional<int> shards, const SlurmOptions& options);

// Single-quotes `text` for bash.
std::string shell_quote(const std::string& text);

}  // namespace dlmeval
