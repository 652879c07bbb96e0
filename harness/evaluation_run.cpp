#include "harness/evaluation_run.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "harness/core/error.h"
#include "harness/core/hash.h"
#include "harness/core/records.h"
#include "harness/machine_info.h"
#include "harness/progress.h"
#include "harness/request_adapter.h"
#include "harness/run_plan.h"
#include "results/aggregate.h"
#include "results/sample_store.h"

namespace fs = std::filesystem;

namespace dlmeval {
namespace {

void check_writable(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UserError(dir + ": cannot create output folder: " + ec.message());
  const std::string probe = (fs::path(dir) / ".dlmeval-write-probe").string();
  std::ofstream out(probe);
  if (!out) throw UserError(dir + ": output folder is not writable");
  out.close();
  fs::remove(probe, ec);
}

// A runner's UserError (LibTorch's errors arrive as one) names the task, protocol and docs it
// was working on, so the user knows which request to look at.
template <class Call>
auto with_batch_context(const Task& task, const ResolvedProtocol& protocol, const std::vector<const Doc*>& batch,
                        Call call) {
  try {
    return call();
  } catch (const UserError& e) {
    std::string ids;
    for (size_t i = 0; i < batch.size() && i < 4; ++i) ids += (i ? ", " : "") + batch[i]->id;
    if (batch.size() > 4) ids += ", ... (" + std::to_string(batch.size()) + " docs)";
    throw UserError(task.name() + " x " + protocol.protocol.name + ", docs " + ids + ": " + e.what());
  }
}

// `same_shard`: the folder is this run's own (resume); else an earlier split's (take over).
void check_resumable(const RunManifest& old, const RunManifest& now, const std::string& dir, bool same_shard = true) {
  auto differs = [&](const std::string& what) {
    throw UserError(dir + ": holds a different run (" + what + " differs); " +
                    (same_shard ? "use a new --out folder or the same settings to resume"
                                : "--completed-from takes over only folders of this same run"));
  };
  if (old.model_hash != now.model_hash) differs("model");
  if (old.seed != now.seed) differs("seed");
  if (same_shard && !(old.shard == now.shard)) differs("shard");
  if (old.limit != now.limit) differs("limit");
  if (old.dtype != now.dtype) differs("dtype");
  if (old.suite != now.suite) differs("suite");
  for (const auto& t : now.tasks) {
    const auto* o = old.find_task(t.name);
    if (o && (o->prompt_fingerprint != t.prompt_fingerprint || o->data_files != t.data_files))
      differs("task " + t.name + " prompts or data");
    if (o && o->scoring != t.scoring) differs("task " + t.name + " scoring settings (" + o->scoring.dump() + " vs " + t.scoring.dump() + ")");
  }
  for (const auto& p : now.protocols) {
    const auto* o = old.find_protocol(p.name);
    if (o && o->fingerprint != p.fingerprint) differs("protocol " + p.name);
  }
}

}  // namespace

namespace {

// Complete records of `samples_file` in each folder, by doc id (a torn last line is skipped).
std::map<std::string, Json> finished_records(const std::vector<std::string>& dirs, const std::string& samples_file,
                                             const std::string& protocol_fingerprint) {
  std::map<std::string, Json> out;
  for (const std::string& dir : dirs) {
    const std::string path = (fs::path(dir) / samples_file).string();
    if (!fs::exists(path)) continue;
    size_t index = 0;
    for (Json& record : read_sample_file(path)) {  // complete records only: a torn tail is left out
      ++index;
      if (record.value("protocol_fingerprint", std::string()) != protocol_fingerprint)
        throw UserError(path + ": record " + std::to_string(index) + ": sample of another protocol setting");
      std::string doc_id = read_sample_view(record, path).doc_id;
      out.emplace(std::move(doc_id), std::move(record));
    }
  }
  return out;
}

}  // namespace

ShardSpec parse_shard(const std::string& text) {
  ShardSpec s;
  auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    s.index = std::stoi(text.substr(0, slash));
    s.count = std::stoi(text.substr(slash + 1));
  } catch (const std::exception&) {
    throw UserError("--shard must look like i/N, got '" + text + "'");
  }
  if (s.count < 1 || s.index < 0 || s.index >= s.count)
    throw UserError("--shard i/N needs 0 <= i < N, got '" + text + "'");
  return s;
}

uint64_t doc_seed(uint64_t run_seed, const std::string& task, const std::string& protocol_fingerprint,
                  const std::string& doc_id) {
  std::string digest = sha256_hex(fmt::format("{}\x1f{}\x1f{}\x1f{}", run_seed, task, protocol_fingerprint, doc_id));
  return std::stoull(digest.substr(0, 15), nullptr, 16);
}

std::string model_folder_hash(const std::string& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string summary;
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    if (f.extension() == ".safetensors") {
      std::ifstream in(f, std::ios::binary);
      uint64_t header_len = 0;
      in.read(reinterpret_cast<char*>(&header_len), 8);
      std::string header(std::min<uint64_t>(header_len, 1 << 24), '\0');
      in.read(header.data(), static_cast<std::streamsize>(header.size()));
      summary += fmt::format("{} {} {}\n", name, fs::file_size(f), sha256_hex(header));
    } else if (f.extension() == ".json" || f.extension() == ".model" || f.extension() == ".txt") {
      summary += fmt::format("{} {}\n", name, sha256_file(f.string()));
    }
  }
  return sha256_hex(summary);
}

RunReport execute_run(const RunOptions& options, const RunnerFactory& open_runner) {
  const auto started = std::chrono::steady_clock::now();
  // 1. Everything that can be wrong is checked before the model loads.
  RunPlan plan = build_plan(options);
  const RunOptions& o = plan.options;
  RunManifest& manifest = plan.manifest;
  if (o.dry_run) {
    RunReport plan_only;
    for (const auto& ev : plan.evaluations) {
      const ManifestTask* mt = manifest.find_task(ev.task->name());
      plan_only.plan.push_back({ev.task->name(), ev.protocol->protocol.name, ev.protocol->protocol.fingerprint(),
                                static_cast<size_t>(mt->shard_docs)});
    }
    return plan_only;
  }
  check_writable(o.out_dir);
  if (fs::exists(manifest_path(o.out_dir))) {
    RunManifest old = read_manifest(o.out_dir);
    check_resumable(old, manifest, o.out_dir);
    manifest.started_at = old.started_at;
  } else {
    manifest.started_at = utc_timestamp_now();
  }

  // Earlier splits of this run whose finished docs are taken over: doc seeds do not depend on the
  // shard, so their samples are what this shard would compute.
  std::vector<std::string> sources;
  for (const std::string& dir : o.completed_from) {
    if (!fs::exists(manifest_path(dir))) throw UserError(dir + ": --completed-from needs a run folder (no manifest.json)");
    check_resumable(read_manifest(dir), manifest, dir, false);
    sources.push_back(dir);
  }

  // 2. The model.
  auto runner = open_runner(o.model_dir, o.runtime);
  Json described = runner->describe();
  manifest.model = described;
  manifest.libtorch_version = described.value("libtorch", "");
  manifest.threads = described.value("threads", o.runtime.threads);
  manifest.extra["machine"] = machine_description(described);
  write_manifest(o.out_dir, manifest);

  // 3. Every task x protocol, resuming where the sample files end; each sample is appended as soon
  // as its batch is scored.
  RunReport report;
  for (const auto& ev : plan.evaluations) {
    SampleWriter writer(ev.samples_path);
    const std::string fingerprint = ev.protocol->protocol.fingerprint();
    const std::map<std::string, Json> finished_elsewhere =
        finished_records(sources, fs::path(ev.samples_path).filename().string(), fingerprint);
    std::vector<const Doc*> todo;
    for (const Doc* doc : plan.shard_docs(*ev.task)) {
      if (writer.is_completed(doc->id)) {
        ++report.docs_resumed;
        continue;
      }
      if (auto it = finished_elsewhere.find(doc->id); it != finished_elsewhere.end()) {
        writer.append(it->second);
        ++report.docs_taken_over;
        continue;
      }
      todo.push_back(doc);
    }
    if (todo.empty()) continue;
    std::unique_ptr<Progress> progress;
    if (!o.quiet) progress = std::make_unique<Progress>(ev.task->name() + " × " + ev.protocol->protocol.name, todo.size());
    for (size_t start = 0; start < todo.size(); start += o.batch_size) {
      const auto batch_started = std::chrono::steady_clock::now();
      const std::vector<const Doc*> batch(todo.begin() + static_cast<long>(start),
                                          todo.begin() + static_cast<long>(std::min(todo.size(), start + o.batch_size)));
      std::vector<TaskRequest> requests;
      std::vector<uint64_t> seeds;
      for (const Doc* d : batch) {
        requests.push_back(ev.task->build_request(*d));
        seeds.push_back(doc_seed(o.seed, ev.task->name(), fingerprint, d->id));
      }
      std::vector<AdaptedOutput> adapted = with_batch_context(
          *ev.task, *ev.protocol, batch, [&] { return run_requests(*runner, *ev.protocol, requests, seeds); });
      std::vector<TaskOutput> outputs;
      for (const auto& a : adapted) outputs.push_back(a.output);
      const auto scored = ev.task->score_batch(batch, requests, outputs);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - batch_started).count() /
                             static_cast<double>(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        SampleRecord record;
        record.doc_id = batch[i]->id;
        record.doc_index = static_cast<size_t>(batch[i] - ev.task->docs().data());
        record.task = ev.task->name();
        record.protocol = ev.protocol->protocol.name;
        record.protocol_fingerprint = fingerprint;
        record.doc = batch[i]->fields;
        record.request = std::move(requests[i]);
        record.output = std::move(outputs[i]);
        record.scored = scored[i];
        record.seed = seeds[i];
        record.cost = std::move(adapted[i].cost);
        record.cost.seconds = seconds;
        writer.append(record.to_json());
        ++report.docs_run;
      }
      if (progress) progress->advance(batch.size());
    }
    if (progress) progress->finish();
  }

  // 4. Summary and the finished manifest.
  manifest.finished_at = utc_timestamp_now();
  write_manifest(o.out_dir, manifest);
  write_summary(o.out_dir);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace dlmeval
