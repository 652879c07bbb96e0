#pragma once
// manifest.json: everything needed to say what a run measured and whether two runs are comparable.
// The format is described in results/README.md.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

inline constexpr const char* kManifestFormat = "dlmeval-run/1";

struct ManifestTask {
  std::string name;
  std::string version;
  std::string prompt_fingerprint;               // Task::prompt_fingerprint() of the planned docs
  Json scoring = Json::object();                // Task::scoring_settings() (code tasks: execution limits)
  std::map<std::string, std::string> data_files;  // path (relative to the data dir) -> sha256
  std::vector<std::string> metrics;             // display order; the first is the headline metric
  int64_t planned_docs = 0;                     // docs of the whole plan (all shards, after --limit)
  std::string planned_doc_ids_sha256;           // doc_ids_digest() of those docs
  int64_t shard_docs = 0;                       // docs this shard was assigned
};

struct ManifestProtocol {
  std::string name;
  Json settings = Json::object();
  std::string fingerprint;
};

// One task run under one protocol, and the sample file holding its docs.
struct ManifestEvaluation {
  std::string task;
  std::string protocol;
  std::string samples_file;  // relative to the run dir
};

struct ShardSpec {
  int index = 0;
  int count = 1;
  bool operator==(const ShardSpec&) const = default;
};

struct RunManifest {
  std::string format = kManifestFormat;
  Json model = Json::object();  // {"path", "hash", "config", ...}: whatever the runner describes
  std::string model_hash;       // hash of the model folder (config, weights index, tokenizer)
  std::string dlmeval_revision;
  std::string libtorch_version;
  std::string device;
  std::string dtype;
  int threads = 0;
  uint64_t seed = 0;
  std::string started_at;   // UTC, ISO 8601
  std::string finished_at;  // empty while the run is in progress
  ShardSpec shard;
  std::optional<int64_t> limit;
  std::vector<ManifestTask> tasks;
  std::vector<ManifestProtocol> protocols;
  std::vector<ManifestEvaluation> evaluations;
  Json suite;                   // the suite the run was planned from (null for --tasks × --protocol)
  Json extra = Json::object();  // free-form additions (command line, host, ...)

  const ManifestTask* find_task(const std::string& name) const;
  const ManifestProtocol* find_protocol(const std::string& name) const;

  Json to_json() const;
  // `source` names the file in error messages.
  static RunManifest from_json(const Json& j, const std::string& source);
};

// <run_dir>/manifest.json
std::string manifest_path(const std::string& run_dir);
RunManifest read_manifest(const std::string& run_dir);
void write_manifest(const std::string& run_dir, const RunManifest& manifest);

// File name of a task x protocol sample log; characters outside [A-Za-z0-9._+=-] become '_'.
std::string samples_file_name(const std::string& task, const std::string& protocol);
// sha256 of the doc ids sorted and joined by '\n' (order-free, so shards can be checked).
std::string doc_ids_digest(std::vector<std::string> doc_ids);
// Current UTC time as 2026-01-31T12:34:56Z.
std::string utc_timestamp_now();

}  // namespace dlmeval
