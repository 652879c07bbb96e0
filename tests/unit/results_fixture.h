#pragma once
// Builds run dirs in temporary folders for the results tests.
#include <cstdlib>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "results/manifest.h"
#include "results/sample_store.h"

namespace dlmeval::testing {

// A fresh folder under the temp dir, removed at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("dlmeval_results_" + name + "_" + std::to_string(rd()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path(const std::string& sub = "") const { return sub.empty() ? path_.string() : (path_ / sub).string(); }

 private:
  std::filesystem::path path_;
};

inline Json make_sample(const std::string& doc_id, const std::map<std::string, double>& metrics,
                        const std::string& prompt = "") {
  std::string p = prompt.empty() ? "Question " + doc_id + "?" : prompt;
  return {{"doc_id", doc_id},
          {"doc", {{"question", "Question " + doc_id + "?"}}},
          {"target", "42"},
          {"arguments", {{"contexts", {p}}, {"stop_strings", {"\n\n"}}}},
          {"resps", {"The answer is 42."}},
          {"filtered_resps", {"42"}},
          {"metrics", metrics},
          {"doc_hash", "d-" + doc_id},
          {"prompt_hash", "p-" + p},
          {"target_hash", "t-42"},
          {"forward_passes", 64},
          {"generated_tokens", 32},
          {"seconds", 0.5}};
}

// Samples whose metric is 1 for the docs flagged in `correct`, ids "0".."n-1".
inline std::vector<Json> binary_samples(const std::vector<int>& correct, const std::string& metric = "exact_match") {
  std::vector<Json> out;
  for (size_t i = 0; i < correct.size(); ++i) out.push_back(make_sample(std::to_string(i), {{metric, double(correct[i])}}));
  return out;
}

inline ManifestTask make_task(const std::string& name, int64_t docs, std::vector<std::string> metrics = {"exact_match"}) {
  ManifestTask t;
  t.name = name;
  t.version = "1";
  t.prompt_fingerprint = "prompts-" + name;
  t.data_files = {{name + "/test.jsonl", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}};
  t.metrics = std::move(metrics);
  t.planned_docs = docs;
  std::vector<std::string> ids;
  for (int64_t i = 0; i < docs; ++i) ids.push_back(std::to_string(i));
  t.planned_doc_ids_sha256 = doc_ids_digest(ids);
  t.shard_docs = docs;
  return t;
}

inline ManifestProtocol make_protocol(const std::string& name, int steps) {
  ManifestProtocol p;
  p.name = name;
  p.settings = {{"sampler", "llada"}, {"gen_length", 64}, {"steps", steps}, {"block_length", 32}};
  p.fingerprint = "fp" + std::to_string(steps);
  return p;
}

inline RunManifest make_manifest() {
  RunManifest m;
  m.model = {{"path", "/models/tiny"}, {"config", {{"hidden_size", 64}}}};
  m.model_hash = "model-hash-1";
  m.dlmeval_revision = "abc123";
  m.libtorch_version = "2.1.2";
  m.device = "cpu";
  m.dtype = "f32";
  m.threads = 2;
  m.seed = 1234;
  m.started_at = "2026-01-01T00:00:00Z";
  m.finished_at = "2026-01-01T01:00:00Z";
  return m;
}

// Writes manifest + sample files; `samples` maps (task, protocol) to records.
inline void write_run(const std::string& dir, RunManifest manifest,
                      const std::map<std::pair<std::string, std::string>, std::vector<Json>>& samples) {
  manifest.evaluations.clear();
  for (const auto& [key, records] : samples) {
    ManifestEvaluation e{key.first, key.second, samples_file_name(key.first, key.second)};
    manifest.evaluations.push_back(e);
    SampleWriter writer((std::filesystem::path(dir) / e.samples_file).string(), Durability::Flush);
    for (const auto& r : records) writer.append(r);
  }
  write_manifest(dir, manifest);
}

// Runs the dlmeval binary; returns its exit status, stdout+stderr in `output`.
inline int run_dlmeval(const std::string& args, std::string* output = nullptr) {
  std::string out_file = (std::filesystem::temp_directory_path() / ("dlmeval_cli_" + std::to_string(std::random_device{}()))).string();
  std::string command = std::string(DLMEVAL_BINARY) + " " + args + " > " + out_file + " 2>&1";
  int status = std::system(command.c_str());
  if (output) {
    std::ifstream in(out_file);
    std::stringstream ss;
    ss << in.rdbuf();
    *output = ss.str();
  }
  std::filesystem::remove(out_file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace dlmeval::testing
