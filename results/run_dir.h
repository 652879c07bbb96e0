#pragma once
// A run dir loaded into memory: its manifest and, per task x protocol, the scored samples.
#include <map>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "results/manifest.h"

namespace dlmeval {

struct EvaluationSamples {
  std::string task;
  std::string protocol;
  std::string protocol_fingerprint;
  std::string samples_path;
  std::vector<Json> records;  // file order; each has a string doc_id and an object of numeric metrics

  // Metric names: the task's declared order first, then any others found in the samples, sorted.
  std::vector<std::string> metric_names(const RunManifest& manifest) const;
  // doc_id -> value of one metric, for docs that carry it.
  std::map<std::string, double> metric_by_doc(const std::string& metric) const;
  std::vector<double> metric_values(const std::string& metric) const;
};

struct LoadedRun {
  std::string dir;
  std::string label;  // the run dir's folder name
  RunManifest manifest;
  std::vector<EvaluationSamples> evaluations;  // manifest order

  const EvaluationSamples* find(const std::string& task, const std::string& protocol) const;
  std::vector<const EvaluationSamples*> for_task(const std::string& task) const;
};

// Reads manifest.json and every sample file it lists (a file not written yet counts as empty; a
// torn last line is ignored). UserError naming file and doc for a record without numeric metrics.
LoadedRun load_run(const std::string& dir);

// The headline metric of a task: the manifest's first, else the first found in the samples.
std::string headline_metric(const LoadedRun& run, const EvaluationSamples& evaluation);

}  // namespace dlmeval
