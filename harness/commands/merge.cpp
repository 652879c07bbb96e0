// dlmeval merge --out DIR SHARD_DIR...: joins the run dirs of `dlmeval run --shard i/N`.
#include <cstdio>

#include "harness/command_registry.h"
#include "results/merge.h"

namespace {

struct MergeArgs {
  std::string out;
  std::vector<std::string> shards;
};

const bool registered = dlmeval::register_command(
    {"merge", "Merge the run dirs of all shards of a run into one run dir",
     [](CLI::App& sub) -> std::function<int()> {
       auto args = std::make_shared<MergeArgs>();
       sub.add_option("--out", args->out, "Merged run dir to create (must not exist or be empty)")->required();
       sub.add_option("shards", args->shards, "Shard run dirs")->required();
       return [args] {
         dlmeval::RunManifest merged = dlmeval::merge_shards(args->shards, args->out);
         size_t docs = 0;
         for (const auto& t : merged.tasks) docs += static_cast<size_t>(t.planned_docs);
         std::printf("merged %zu shards into %s (%zu tasks, %zu evaluations, %zu planned docs)\n", args->shards.size(),
                     args->out.c_str(), merged.tasks.size(), merged.evaluations.size(), docs);
         return 0;
       };
     }});

}  // namespace
