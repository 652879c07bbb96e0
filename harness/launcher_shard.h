#pragma once
// `--shard auto`: the shard a launcher assigned to this process, read from its environment, and
// the device that goes with the process's local rank. Launchers, in the order they are looked for:
// Slurm job arrays (SLURM_ARRAY_TASK_ID / _COUNT, with _MIN and _STEP), Slurm steps (SLURM_PROCID /
// SLURM_NTASKS), torchrun (RANK / WORLD_SIZE), Open MPI (OMPI_COMM_WORLD_RANK / _SIZE). With none
// of them the process is shard 0/1.
#include <functional>
#include <optional>
#include <string>

#include "results/manifest.h"

namespace dlmeval {

using EnvironmentLookup = std::function<const char*(const char* name)>;

struct LauncherShard {
  ShardSpec shard;
  std::string source;             // e.g. "SLURM_ARRAY_TASK_ID", "RANK", or "none"
  std::optional<int> local_rank;  // SLURM_LOCALID, LOCAL_RANK or OMPI_COMM_WORLD_LOCAL_RANK
};

// UserError when a launcher's variables are present but inconsistent (a rank outside its size).
LauncherShard shard_from_environment(const EnvironmentLookup& getenv_fn);

// "i/N", or "auto" from the real environment.
ShardSpec resolve_shard_option(const std::string& text);

// The device a process of `local_rank` uses: "cuda" becomes "cuda:<local_rank>" when the launcher
// gave a local rank; any explicit device (cpu, cuda:1) is kept.
std::string device_for_local_rank(const std::string& device, const std::optional<int>& local_rank);

}  // namespace dlmeval
