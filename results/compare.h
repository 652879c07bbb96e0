#pragma once
// Side-by-side comparison of runs: per task and metric, each run x protocol's score, and for each
// column against the first one of the same task, the paired difference over the docs both scored
// (joined on doc_id) with a bootstrap interval and a paired test. Two numbers are never called
// comparable when the task's data files or its prompts differ; protocol differences are what a
// comparison is for, so they are listed, not refused.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "results/aggregate.h"
#include "results/run_dir.h"

namespace dlmeval {

struct PairedTestOptions {
  double confidence = 0.95;
  int bootstrap_resamples = 2000;
  int permutation_resamples = 5000;
  uint64_t seed = 1234;
};

struct PairedComparison {
  int64_t n_shared = 0;
  double baseline_mean = 0;   // over the shared docs
  double candidate_mean = 0;  // over the shared docs
  double delta = 0;           // candidate - baseline, in the metric's own unit
  double ci_lower = 0;
  double ci_upper = 0;
  double p_value = 1;
  bool binary = false;        // 0/1 metric: McNemar exact test; otherwise paired permutation test
  bool fraction = false;      // values in [0, 1]: shown in percentage points
  int64_t baseline_only = 0;  // binary: docs right only under the baseline
  int64_t candidate_only = 0; // binary: docs right only under the candidate
  std::string test_name() const { return binary ? "McNemar exact" : "paired permutation"; }
};

// Pairs the two doc_id -> value maps on their shared docs. n_shared == 0 when none are shared.
PairedComparison paired_compare(const std::map<std::string, double>& baseline,
                                const std::map<std::string, double>& candidate, const PairedTestOptions& options = {});

// Reasons the two evaluations of a task cannot be compared: a data file's sha256 differs (or the
// file sets differ), the task's prompt fingerprint differs over the same doc selection, or shared
// docs carry different prompt/doc hashes. Empty when comparable.
std::vector<std::string> comparability_problems(const LoadedRun& a, const EvaluationSamples& ea, const LoadedRun& b,
                                                const EvaluationSamples& eb);

// Settings that differ between two protocols, as "key: a -> b" (dotted keys for nested objects).
std::vector<std::string> protocol_differences(const Json& a, const Json& b);

// Plain values only, so a report outlives the runs it was computed from.
struct CompareColumn {
  size_t run_index = 0;
  std::string label;  // "<run>/<protocol>"
  std::string run_dir;
  std::string task;
  std::string protocol;
  std::string protocol_fingerprint;
  EvaluationSummary summary;
};

struct CompareDelta {
  std::string task;
  std::string metric;
  size_t column = 0;    // index into CompareReport::columns
  size_t baseline = 0;  // index into CompareReport::columns
  PairedComparison paired;
};

struct CompareNote {
  std::string task;
  size_t column = 0;
  size_t baseline = 0;
  std::string text;
};

struct CompareReport {
  std::vector<CompareColumn> columns;
  std::vector<std::string> tasks;                            // first-seen order
  std::map<std::string, std::vector<std::string>> metrics;   // task -> metric names
  std::vector<CompareDelta> deltas;
  std::vector<CompareNote> not_comparable;       // refusals: data or prompt differ
  std::vector<CompareNote> protocol_changes;     // shown, never refused
  std::vector<CompareNote> other_notes;          // task version changes, no shared docs
  double confidence = 0.95;

  Json to_json() const;
  std::string to_markdown() const;
};

struct CompareOptions {
  PairedTestOptions paired;
  AggregateOptions aggregate;
};

CompareReport compare_runs(const std::vector<LoadedRun>& runs, const CompareOptions& options = {});

// "+1.25 pts" for fraction metrics, "+0.0125" otherwise.
std::string format_delta(double delta, bool fraction);

}  // namespace dlmeval
