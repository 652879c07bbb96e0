#pragma once
// Samples -> per task x protocol metric means with bootstrap standard errors, and the
// summary.json / summary.md renderers.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "results/collapse.h"
#include "results/run_dir.h"

namespace dlmeval {

struct AggregateOptions {
  int bootstrap_resamples = 1000;
  uint64_t seed = 1234;
};

struct MetricSummary {
  std::string name;
  double value = 0;         // mean over docs
  double stderr_value = 0;  // bootstrap standard error of that mean
  int64_t n = 0;
  bool binary = false;      // every value is 0 or 1 (accuracy-like)
};

// What a (task, protocol) cost, from the records' model counters: per-doc means, except where said.
struct CostSummary {
  double forward_passes = 0;      // model calls per doc
  double rows = 0;                // sequence rows per doc
  double tokens_computed = 0;     // positions computed per doc
  double tokens_cached = 0;       // positions read from a KV cache per doc
  double head_tokens = 0;         // LM-head positions per doc
  double flops = 0;               // estimated FLOPs per doc
  double seconds = 0;             // wall seconds per doc
  double model_seconds = 0;       // seconds inside the network per doc
  double model_share = 0;         // model seconds / wall seconds over all docs (0 when no time was taken)
  double generated_tokens = 0;    // per doc (generation only; never the prompt)
  double tokens_per_call = 0;     // generated tokens / model calls over all docs: a protocol's parallelism
  int64_t peak_memory_bytes = 0;  // largest batch peak the device reported; 0 = none (CPU)
  Json to_json() const;
};

struct EvaluationSummary {
  std::string task;
  std::string protocol;
  std::string protocol_fingerprint;
  int64_t n_docs = 0;        // docs scored
  int64_t planned_docs = 0;  // docs this run (or shard) was assigned; 0 when unknown
  std::vector<MetricSummary> metrics;  // display order, headline first
  double mean_forward_passes = 0;      // per doc
  double mean_generated_tokens = 0;    // per doc
  double total_seconds = 0;
  // Code tasks: how many programs ended in each sandbox status (passed, failed, timeout, memory,
  // output_limit, ...), from every sample's filtered_resps.status; empty for other tasks.
  std::map<std::string, int64_t> program_status;
  // Generation evaluations: empty / whitespace / length-limit / invalid shares and output lengths.
  CollapseSummary collapse;
  CostSummary cost;

  const MetricSummary* find(const std::string& metric) const;
  // "160 passed, 3 failed, 1 timeout" (statuses in name order), or "" without programs.
  std::string program_status_line() const;
};

struct RunSummary {
  std::string run_label;
  std::vector<EvaluationSummary> evaluations;

  Json to_json() const;
  std::string to_markdown() const;
};

// Every value lies in [0, 1], so it reads as a fraction and is shown in percentage points.
bool is_fraction_metric(const std::vector<double>& values);
bool is_binary_metric(const std::vector<double>& values);

// Mean over records of a numeric per-sample field such as "forward_passes" (absent counts as 0).
double mean_record_field(const EvaluationSamples& samples, const char* key);

EvaluationSummary summarize_evaluation(const LoadedRun& run, const EvaluationSamples& samples,
                                       const AggregateOptions& options = {});
RunSummary summarize_run(const LoadedRun& run, const AggregateOptions& options = {});
// Loads `run_dir` and writes summary.json and summary.md into it.
RunSummary write_summary(const std::string& run_dir, const AggregateOptions& options = {});

}  // namespace dlmeval
