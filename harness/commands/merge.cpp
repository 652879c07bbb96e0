// dlmeval merge --out DIR SHARD_DIR...: joins the run dirs of `dlmeval run --shard i/N`.
#include <cstdio>
#include <filesystem>

#include "harness/core/error.h"

#include "harness/command_registry.h"
#include "results/merge.h"

namespace {

struct MergeArgs {
  std::string out;
  std::vector<std::string> shards;
  bool allow_incomplete = false, replace = false;
};

// --replace removes an earlier merge only: a folder whose manifest says it was merged.
void remove_earlier_merge(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::exists(dir)) return;
  const bool merged = fs::exists(dlmeval::manifest_path(dir)) && dlmeval::read_manifest(dir).extra.contains("merged_from");
  if (!merged) throw dlmeval::UserError(dir + ": --replace removes only an earlier merged run, and this is not one");
  fs::remove_all(dir);
}

const bool registered = dlmeval::register_command(
    {"merge", "Merge the run dirs of all shards of a run into one run dir",
     [](CLI::App& sub) -> std::function<int()> {
       auto args = std::make_shared<MergeArgs>();
       sub.add_option("--out", args->out, "Merged run dir to create (must not exist or be empty)")->required();
       sub.add_option("shards", args->shards, "Shard run dirs")->required();
       sub.add_flag("--allow-incomplete", args->allow_incomplete,
                    "Merge what finished when shards are missing or unfinished; the manifest lists the gaps "
                    "(extra.incomplete) and the command exits with 3");
       sub.add_flag("--replace", args->replace, "Replace an earlier merged run at --out");
       return [args] {
         if (args->replace) remove_earlier_merge(args->out);
         dlmeval::RunManifest merged = dlmeval::merge_shards(args->shards, args->out, args->allow_incomplete);
         size_t docs = 0;
         for (const auto& t : merged.tasks) docs += static_cast<size_t>(t.planned_docs);
         std::printf("merged %zu shards into %s (%zu tasks, %zu evaluations, %zu planned docs)\n", args->shards.size(),
                     args->out.c_str(), merged.tasks.size(), merged.evaluations.size(), docs);
         if (merged.extra.contains("incomplete")) {
           for (const auto& gap : merged.extra["incomplete"]) std::printf("incomplete: %s\n", gap.get<std::string>().c_str());
           return 3;
         }
         return 0;
       };
     }});

}  // namespace
