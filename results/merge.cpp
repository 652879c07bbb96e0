#include "results/merge.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "harness/core/error.h"
#include "results/aggregate.h"
#include "results/run_dir.h"

namespace dlmeval {
namespace {

std::string shard_name(const LoadedRun& run) {
  return fmt::format("shard {}/{} ({})", run.manifest.shard.index, run.manifest.shard.count, run.dir);
}

// The parts of a task entry every shard must agree on (shard_docs differs by design).
Json task_identity(const ManifestTask& t) {
  return {{"version", t.version},           {"prompt_fingerprint", t.prompt_fingerprint},
          {"data_files", t.data_files},     {"metrics", t.metrics},
          {"planned_docs", t.planned_docs}, {"planned_doc_ids_sha256", t.planned_doc_ids_sha256},
          {"scoring", t.scoring}};
}

std::map<std::string, std::string> protocol_fingerprints(const RunManifest& m) {
  std::map<std::string, std::string> out;
  for (const auto& p : m.protocols) out[p.name] = p.fingerprint;
  return out;
}

std::set<std::pair<std::string, std::string>> evaluation_keys(const RunManifest& m) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& e : m.evaluations) out.insert({e.task, e.protocol});
  return out;
}

void check_consistency(const LoadedRun& first, const LoadedRun& run, std::vector<std::string>& problems) {
  const RunManifest& a = first.manifest;
  const RunManifest& b = run.manifest;
  std::string who = shard_name(run), ref = shard_name(first);
  if (a.model_hash != b.model_hash) problems.push_back(fmt::format("{}: model hash {} differs from {} in {}", who, b.model_hash, a.model_hash, ref));
  if (a.seed != b.seed) problems.push_back(fmt::format("{}: seed {} differs from {} in {}", who, b.seed, a.seed, ref));
  if (a.limit != b.limit) problems.push_back(fmt::format("{}: --limit differs from {}", who, ref));
  if (protocol_fingerprints(a) != protocol_fingerprints(b)) problems.push_back(fmt::format("{}: protocol fingerprints differ from {}", who, ref));
  if (evaluation_keys(a) != evaluation_keys(b)) problems.push_back(fmt::format("{}: evaluates other task x protocol pairs than {}", who, ref));
  for (const auto& ta : a.tasks) {
    const ManifestTask* tb = b.find_task(ta.name);
    if (!tb) {
      problems.push_back(fmt::format("{}: lacks task {}", who, ta.name));
      continue;
    }
    Json ia = task_identity(ta), ib = task_identity(*tb);
    for (const auto& [key, value] : ia.items()) {
      if (ib[key] != value) problems.push_back(fmt::format("{}: task {} {} differs from {}", who, ta.name, key, ref));
    }
  }
}

}  // namespace

namespace {

// Problems that forbid a merge (inconsistent or overlapping shards) and gaps (missing shards,
// unfinished docs) that a merge of what finished may record instead.
struct ShardCheck {
  std::vector<std::string> problems, gaps;
};

ShardCheck check_shards(const std::vector<std::string>& shard_dirs) {
  ShardCheck check;
  std::vector<std::string>& problems = check.problems;
  std::vector<std::string>& gaps = check.gaps;
  if (shard_dirs.empty()) return {{"no shard dirs given"}, {}};
  std::vector<LoadedRun> runs;
  for (const auto& dir : shard_dirs) runs.push_back(load_run(dir));

  int count = runs.front().manifest.shard.count;
  std::map<int, std::vector<std::string>> by_index;
  for (const auto& run : runs) {
    if (run.manifest.shard.count != count) {
      problems.push_back(fmt::format("{}: belongs to a {}-way split, {} to a {}-way split", run.dir, run.manifest.shard.count,
                                     runs.front().dir, count));
    }
    by_index[run.manifest.shard.index].push_back(run.dir);
  }
  std::vector<int> missing;
  for (int i = 0; i < count; ++i) {
    if (!by_index.count(i)) missing.push_back(i);
    else if (by_index[i].size() > 1) problems.push_back(fmt::format("shard {}/{} given more than once: {}", i, count, fmt::join(by_index[i], ", ")));
  }
  if (!missing.empty()) gaps.push_back(fmt::format("missing shard(s) {} of {}", fmt::join(missing, ", "), count));
  for (size_t r = 1; r < runs.size(); ++r) check_consistency(runs.front(), runs[r], problems);
  if (!problems.empty()) return check;

  for (const auto& e : runs.front().manifest.evaluations) {
    const ManifestTask* task = runs.front().manifest.find_task(e.task);
    std::map<std::string, std::string> owner;  // doc_id -> shard dir
    for (const auto& run : runs) {
      const EvaluationSamples* samples = run.find(e.task, e.protocol);
      const ManifestTask* shard_task = run.manifest.find_task(e.task);
      int64_t have = samples ? static_cast<int64_t>(samples->records.size()) : 0;
      if (shard_task && have < shard_task->shard_docs) {
        gaps.push_back(fmt::format("{}: {} / {} is incomplete: {} of {} docs scored", shard_name(run), e.task, e.protocol,
                                       have, shard_task->shard_docs));
      }
      if (!samples) continue;
      for (const auto& record : samples->records) {
        std::string id = record.at("doc_id").get<std::string>();
        auto [it, fresh] = owner.emplace(id, run.dir);
        if (!fresh) {
          problems.push_back(fmt::format("{} / {}: doc {} is in both {} and {} (shards overlap)", e.task, e.protocol, id,
                                         it->second, run.dir));
        }
      }
    }
    std::vector<std::string> ids;
    for (const auto& [id, dir] : owner) ids.push_back(id);
    if (task->planned_docs > 0 && static_cast<int64_t>(ids.size()) < task->planned_docs) {
      gaps.push_back(fmt::format("{} / {}: shards hold {} docs, the plan has {}", e.task, e.protocol, ids.size(),
                                     task->planned_docs));
    } else if (task->planned_docs > 0 && static_cast<int64_t>(ids.size()) > task->planned_docs) {
      problems.push_back(fmt::format("{} / {}: shards hold {} docs, the plan has {}", e.task, e.protocol, ids.size(),
                                     task->planned_docs));
    } else if (!task->planned_doc_ids_sha256.empty() && doc_ids_digest(ids) != task->planned_doc_ids_sha256) {
      problems.push_back(fmt::format("{} / {}: the shards' doc ids are not the planned ones (doc id digest differs)",
                                     e.task, e.protocol));
    }
  }
  return check;
}

}  // namespace

std::vector<std::string> shard_problems(const std::vector<std::string>& shard_dirs) {
  ShardCheck check = check_shards(shard_dirs);
  check.problems.insert(check.problems.end(), check.gaps.begin(), check.gaps.end());
  return check.problems;
}

RunManifest merge_shards(const std::vector<std::string>& shard_dirs, const std::string& out_dir, bool allow_incomplete) {
  if (std::filesystem::exists(out_dir) &&
      (!std::filesystem::is_directory(out_dir) || !std::filesystem::is_empty(out_dir))) {
    throw UserError(out_dir + ": output dir exists and is not empty");
  }
  const ShardCheck check = check_shards(shard_dirs);
  std::vector<std::string> refused = check.problems;
  if (!allow_incomplete) refused.insert(refused.end(), check.gaps.begin(), check.gaps.end());
  if (!refused.empty()) throw UserError(fmt::format("cannot merge shards: {}", fmt::join(refused, "; ")));

  std::vector<LoadedRun> runs;
  for (const auto& dir : shard_dirs) runs.push_back(load_run(dir));
  std::sort(runs.begin(), runs.end(), [](const LoadedRun& a, const LoadedRun& b) {
    return a.manifest.shard.index < b.manifest.shard.index;
  });
  RunManifest merged = runs.front().manifest;
  merged.shard = {};
  for (auto& t : merged.tasks) t.shard_docs = t.planned_docs;
  Json sources = Json::array();
  for (const auto& run : runs) {
    sources.push_back(run.dir);
    if (!run.manifest.started_at.empty() && run.manifest.started_at < merged.started_at) merged.started_at = run.manifest.started_at;
    if (run.manifest.finished_at > merged.finished_at) merged.finished_at = run.manifest.finished_at;
  }
  merged.extra["merged_from"] = sources;
  // A merge of what finished says what did not, so no one reads it as the whole run.
  if (!check.gaps.empty()) merged.extra["incomplete"] = check.gaps;
  std::filesystem::create_directories(out_dir);
  for (auto& e : merged.evaluations) {
    std::vector<const Json*> records;
    for (const auto& run : runs)
      if (const EvaluationSamples* s = run.find(e.task, e.protocol))
        for (const auto& r : s->records) records.push_back(&r);
    // Restore the plan's order where the records say it.
    bool indexed = std::all_of(records.begin(), records.end(), [](const Json* r) {
      return r->contains("doc_index") && (*r)["doc_index"].is_number_integer();
    });
    if (indexed) {
      std::stable_sort(records.begin(), records.end(), [](const Json* a, const Json* b) {
        return (*a)["doc_index"].get<int64_t>() < (*b)["doc_index"].get<int64_t>();
      });
    }
    std::string text;
    for (const Json* r : records) text += r->dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    e.samples_file = samples_file_name(e.task, e.protocol);
    write_text_file_atomic((std::filesystem::path(out_dir) / e.samples_file).string(), text);
  }
  write_manifest(out_dir, merged);
  write_summary(out_dir);
  return merged;
}

}  // namespace dlmeval
