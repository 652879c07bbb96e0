#pragma once
// Joins the run dirs of `dlmeval run --shard i/N` into one run dir, after checking that the
// shards are complete (all N present once, each holding every doc it was assigned, together
// exactly the planned docs, no doc twice) and consistent (same model hash, seed, limit, task data,
// prompts and protocol fingerprints).
#include <string>
#include <vector>

#include "results/manifest.h"

namespace dlmeval {

// Every problem found, one phrase each; empty when the shards can be merged.
std::vector<std::string> shard_problems(const std::vector<std::string>& shard_dirs);

// Checks (UserError listing every problem) and writes the merged run dir: manifest (shard 0/1,
// merged_from in extra), one sample file per task x protocol, summary.json and summary.md.
// `out_dir` must not exist or be empty. With `allow_incomplete`, missing shards and unfinished
// docs do not stop the merge: what finished is merged and the gaps are listed in the manifest's
// extra.incomplete (inconsistent or overlapping shards are still refused).
RunManifest merge_shards(const std::vector<std::string>& shard_dirs, const std::string& out_dir,
                         bool allow_incomplete = false);

}  // namespace dlmeval
