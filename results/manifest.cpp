#include "results/manifest.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "harness/core/error.h"
#include "harness/core/hash.h"

namespace dlmeval {
namespace {

// Field readers that name the file and the field path when the type is wrong.
class Fields {
 public:
  Fields(const Json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) throw UserError(where_ + ": must be a JSON object");
  }
  bool has(const char* key) const { return j_.contains(key) && !j_.at(key).is_null(); }
  std::string str(const char* key, bool required = false) const {
    if (!has(key)) {
      if (required) throw UserError(where_ + ": missing field '" + key + "'");
      return "";
    }
    if (!j_.at(key).is_string()) throw UserError(where_ + "." + key + ": must be a string");
    return j_.at(key).get<std::string>();
  }
  int64_t integer(const char* key, int64_t fallback = 0) const {
    if (!has(key)) return fallback;
    if (!j_.at(key).is_number_integer()) throw UserError(where_ + "." + key + ": must be an integer");
    return j_.at(key).get<int64_t>();
  }
  const Json& array(const char* key) const {
    static const Json empty = Json::array();
    if (!has(key)) return empty;
    if (!j_.at(key).is_array()) throw UserError(where_ + "." + key + ": must be an array");
    return j_.at(key);
  }
  const Json& object(const char* key) const {
    static const Json empty = Json::object();
    if (!has(key)) return empty;
    if (!j_.at(key).is_object()) throw UserError(where_ + "." + key + ": must be an object");
    return j_.at(key);
  }
  std::string at(const std::string& sub) const { return where_ + "." + sub; }

 private:
  const Json& j_;
  std::string where_;
};

}  // namespace

const ManifestTask* RunManifest::find_task(const std::string& name) const {
  for (const auto& t : tasks)
    if (t.name == name) return &t;
  return nullptr;
}

const ManifestProtocol* RunManifest::find_protocol(const std::string& name) const {
  for (const auto& p : protocols)
    if (p.name == name) return &p;
  return nullptr;
}

Json RunManifest::to_json() const {
  Json j;
  j["format"] = format;
  j["dlmeval"] = {{"revision", dlmeval_revision}};
  j["libtorch_version"] = libtorch_version;
  j["model"] = model;
  j["model_hash"] = model_hash;
  j["runtime"] = {{"device", device}, {"dtype", dtype}, {"threads", threads}};
  j["seed"] = seed;
  j["started_at"] = started_at;
  j["finished_at"] = finished_at.empty() ? Json() : Json(finished_at);
  j["shard"] = {{"index", shard.index}, {"count", shard.count}};
  j["limit"] = limit ? Json(*limit) : Json();
  j["tasks"] = Json::array();
  for (const auto& t : tasks) {
    j["tasks"].push_back({{"name", t.name},
                          {"version", t.version},
                          {"prompt_fingerprint", t.prompt_fingerprint},
                          {"scoring", t.scoring},
                          {"data_files", t.data_files},
                          {"metrics", t.metrics},
                          {"planned_docs", t.planned_docs},
                          {"planned_doc_ids_sha256", t.planned_doc_ids_sha256},
                          {"shard_docs", t.shard_docs}});
  }
  j["protocols"] = Json::array();
  for (const auto& p : protocols) {
    j["protocols"].push_back({{"name", p.name}, {"settings", p.settings}, {"fingerprint", p.fingerprint}});
  }
  j["evaluations"] = Json::array();
  for (const auto& e : evaluations) {
    j["evaluations"].push_back({{"task", e.task}, {"protocol", e.protocol}, {"samples_file", e.samples_file}});
  }
  if (!suite.is_null()) j["suite"] = suite;
  j["extra"] = extra;
  return j;
}

RunManifest RunManifest::from_json(const Json& j, const std::string& source) {
  Fields f(j, source);
  RunManifest m;
  m.format = f.str("format", true);
  if (m.format != kManifestFormat) {
    throw UserError(source + ".format: unsupported manifest format '" + m.format + "' (expected " + kManifestFormat + ")");
  }
  m.dlmeval_revision = Fields(f.object("dlmeval"), f.at("dlmeval")).str("revision");
  m.libtorch_version = f.str("libtorch_version");
  m.model = f.object("model");
  m.model_hash = f.str("model_hash");
  Fields runtime(f.object("runtime"), f.at("runtime"));
  m.device = runtime.str("device");
  m.dtype = runtime.str("dtype");
  m.threads = static_cast<int>(runtime.integer("threads"));
  m.seed = static_cast<uint64_t>(f.integer("seed"));
  m.started_at = f.str("started_at");
  m.finished_at = f.str("finished_at");
  Fields shard(f.object("shard"), f.at("shard"));
  m.shard.index = static_cast<int>(shard.integer("index", 0));
  m.shard.count = static_cast<int>(shard.integer("count", 1));
  if (m.shard.count < 1 || m.shard.index < 0 || m.shard.index >= m.shard.count) {
    throw UserError(f.at("shard") + ": index " + std::to_string(m.shard.index) + " / count " +
                    std::to_string(m.shard.count) + " is not a valid shard");
  }
  if (f.has("limit")) m.limit = f.integer("limit");
  const Json& tasks = f.array("tasks");
  for (size_t i = 0; i < tasks.size(); ++i) {
    Fields t(tasks[i], f.at("tasks[" + std::to_string(i) + "]"));
    ManifestTask task;
    task.name = t.str("name", true);
    task.version = t.str("version");
    task.prompt_fingerprint = t.str("prompt_fingerprint");
    // Absent in runs written before scoring settings were recorded.
    if (t.has("scoring")) task.scoring = t.object("scoring");
    for (const auto& [path, sha] : t.object("data_files").items()) {
      if (!sha.is_string()) throw UserError(t.at("data_files." + path) + ": must be a sha256 string");
      task.data_files[path] = sha.get<std::string>();
    }
    for (const auto& name : t.array("metrics")) {
      if (!name.is_string()) throw UserError(t.at("metrics") + ": must hold strings");
      task.metrics.push_back(name.get<std::string>());
    }
    task.planned_docs = t.integer("planned_docs");
    task.planned_doc_ids_sha256 = t.str("planned_doc_ids_sha256");
    task.shard_docs = t.integer("shard_docs");
    m.tasks.push_back(std::move(task));
  }
  const Json& protocols = f.array("protocols");
  for (size_t i = 0; i < protocols.size(); ++i) {
    Fields p(protocols[i], f.at("protocols[" + std::to_string(i) + "]"));
    ManifestProtocol protocol;
    protocol.name = p.str("name", true);
    protocol.settings = p.object("settings");
    protocol.fingerprint = p.str("fingerprint", true);
    m.protocols.push_back(std::move(protocol));
  }
  const Json& evaluations = f.array("evaluations");
  for (size_t i = 0; i < evaluations.size(); ++i) {
    Fields e(evaluations[i], f.at("evaluations[" + std::to_string(i) + "]"));
    ManifestEvaluation evaluation{e.str("task", true), e.str("protocol", true), e.str("samples_file")};
    if (evaluation.samples_file.empty()) evaluation.samples_file = samples_file_name(evaluation.task, evaluation.protocol);
    if (evaluation.samples_file.find('/') != std::string::npos || evaluation.samples_file.find("..") != std::string::npos) {
      throw UserError(e.at("samples_file") + ": must be a plain file name inside the run dir");
    }
    if (!m.find_task(evaluation.task)) throw UserError(e.at("task") + ": task '" + evaluation.task + "' is not listed in tasks");
    if (!m.find_protocol(evaluation.protocol)) {
      throw UserError(e.at("protocol") + ": protocol '" + evaluation.protocol + "' is not listed in protocols");
    }
    m.evaluations.push_back(std::move(evaluation));
  }
  if (f.has("suite")) m.suite = f.object("suite");
  m.extra = f.object("extra");
  return m;
}

std::string manifest_path(const std::string& run_dir) { return (std::filesystem::path(run_dir) / "manifest.json").string(); }

RunManifest read_manifest(const std::string& run_dir) {
  std::string path = manifest_path(run_dir);
  if (!std::filesystem::exists(path)) throw UserError(run_dir + ": not a run dir (no manifest.json)");
  return RunManifest::from_json(read_json_file(path), path);
}

void write_manifest(const std::string& run_dir, const RunManifest& manifest) {
  std::filesystem::create_directories(run_dir);
  write_json_file_atomic(manifest_path(run_dir), manifest.to_json());
}

std::string samples_file_name(const std::string& task, const std::string& protocol) {
  auto clean = [](std::string s) {
    for (char& c : s) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                c == '+' || c == '=' || c == '-';
      if (!ok) c = '_';
    }
    return s;
  };
  return "samples-" + clean(task) + "-" + clean(protocol) + ".jsonl";
}

std::string doc_ids_digest(std::vector<std::string> doc_ids) {
  std::sort(doc_ids.begin(), doc_ids.end());
  std::string joined;
  for (const auto& id : doc_ids) {
    joined += id;
    joined += '\n';
  }
  return sha256_hex(joined);
}

std::string utc_timestamp_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace dlmeval
