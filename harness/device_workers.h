#pragma once
// `dlmeval run --devices cuda:0,cuda:1,...`: one worker process per device, each an ordinary
// `dlmeval run` of its own shard (RUN/shards/<i>-of-<N>, its output in RUN/shards/<i>-of-<N>.log),
// one progress bar over all of them, and the merge into RUN/merged when every worker finished.
// Running the same command again resumes every shard where it stopped.
#include <string>
#include <vector>

#include "results/manifest.h"

namespace dlmeval {

struct DeviceWorkers {
  std::string binary;                   // the dlmeval to start
  std::vector<std::string> run_args;    // dlmeval run arguments without --out, --shard, --device(s), --quiet
  std::vector<std::string> devices;     // one worker each
  std::string run_dir;
  size_t total_docs = 0;                // docs x evaluations of the whole run, for the progress bar
  bool quiet = false;
};

// UserError naming the shard, device and log of a worker that failed; the merged manifest otherwise.
RunManifest run_on_devices(const DeviceWorkers& workers);

// The arguments of this process's `dlmeval run` (argv after the command name) without the options
// a worker gets its own value of.
std::vector<std::string> worker_arguments(const std::vector<std::string>& run_arguments);

// "cpu,cpu" or "cuda:0,cuda:1": the list; "all": cuda:0 .. cuda:<count - 1>.
std::vector<std::string> parse_devices(const std::string& text, int cuda_devices);

}  // namespace dlmeval
