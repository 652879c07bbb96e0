#include "results/run_dir.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "harness/core/error.h"
#include "harness/core/records.h"
#include "results/sample_store.h"

namespace dlmeval {
namespace {

void check_record(const Json& record, const std::string& path) { (void)read_sample_view(record, path); }

double as_double(const Json& v) { return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>(); }

}  // namespace

std::vector<std::string> EvaluationSamples::metric_names(const RunManifest& manifest) const {
  std::vector<std::string> names;
  if (const ManifestTask* t = manifest.find_task(task)) names = t->metrics;
  std::set<std::string> others;
  for (const auto& r : records)
    for (const auto& [name, value] : r.at("metrics").items())
      if (std::find(names.begin(), names.end(), name) == names.end()) others.insert(name);
  names.insert(names.end(), others.begin(), others.end());
  return names;
}

std::map<std::string, double> EvaluationSamples::metric_by_doc(const std::string& metric) const {
  std::map<std::string, double> out;
  for (const auto& r : records) {
    const Json& m = r.at("metrics");
    auto it = m.find(metric);
    if (it != m.end()) out[r.at("doc_id").get<std::string>()] = as_double(*it);
  }
  return out;
}

std::vector<double> EvaluationSamples::metric_values(const std::string& metric) const {
  std::vector<double> out;
  for (const auto& r : records) {
    const Json& m = r.at("metrics");
    auto it = m.find(metric);
    if (it != m.end()) out.push_back(as_double(*it));
  }
  return out;
}

const EvaluationSamples* LoadedRun::find(const std::string& task, const std::string& protocol) const {
  for (const auto& e : evaluations)
    if (e.task == task && e.protocol == protocol) return &e;
  return nullptr;
}

std::vector<const EvaluationSamples*> LoadedRun::for_task(const std::string& task) const {
  std::vector<const EvaluationSamples*> out;
  for (const auto& e : evaluations)
    if (e.task == task) out.push_back(&e);
  return out;
}

LoadedRun load_run(const std::string& dir) {
  LoadedRun run;
  run.dir = dir;
  std::filesystem::path p(dir);
  if (p.filename().empty()) p = p.parent_path();  // "runs/a/" -> "a"
  run.label = p.filename().string();
  run.manifest = read_manifest(dir);
  for (const auto& e : run.manifest.evaluations) {
    EvaluationSamples samples;
    samples.task = e.task;
    samples.protocol = e.protocol;
    samples.protocol_fingerprint = run.manifest.find_protocol(e.protocol)->fingerprint;
    samples.samples_path = (std::filesystem::path(dir) / e.samples_file).string();
    if (std::filesystem::exists(samples.samples_path)) samples.records = read_sample_file(samples.samples_path);
    for (const auto& r : samples.records) check_record(r, samples.samples_path);
    run.evaluations.push_back(std::move(samples));
  }
  return run;
}

std::string headline_metric(const LoadedRun& run, const EvaluationSamples& evaluation) {
  auto names = evaluation.metric_names(run.manifest);
  return names.empty() ? std::string() : names.front();
}

}  // namespace dlmeval
