#pragma once
// The CI gate: does a candidate run score lower than a baseline run?
//
// A metric regresses only when its drop over the docs both runs scored is larger than the allowed
// one AND a paired test says the drop is unlikely to be noise (McNemar exact test for 0/1 metrics,
// paired permutation test otherwise). A drop on few docs that is within noise passes; a small but
// certain drop within the allowance passes too. When a task's data files or prompts differ, the
// numbers are not comparable at all: that is a mismatch, reported apart from regressions.
#include <string>
#include <vector>

#include "results/compare.h"
#include "results/run_dir.h"

namespace dlmeval {

struct RegressOptions {
  double max_drop_points = 1.0;  // allowed drop: percentage points for [0,1] metrics, else the metric's unit
  double alpha = 0.05;           // significance level of the paired test
  std::vector<std::string> metrics;  // metrics to gate; empty = every metric both runs report
  PairedTestOptions paired;
  // Collapse diagnostics (results/collapse.h) of generation evaluations are gated too: a share
  // that rises by more than this many points, beyond noise, is a regression even when every
  // metric held.
  bool gate_collapse = true;
  double max_collapse_rise_points = 1.0;
};

struct RegressCheck {
  std::string task;
  std::string baseline_protocol;
  std::string candidate_protocol;
  std::string metric;
  PairedComparison paired;
  double drop = 0;  // baseline - candidate on shared docs, in points (fractions) or metric units
  bool collapse = false;  // a collapse diagnostic: higher is worse, `drop` is its rise
  bool significant = false;
  bool regression = false;
};

struct RegressResult {
  std::vector<RegressCheck> checks;
  std::vector<std::string> mismatches;  // "<task>: <reason>": data or prompt differ
  std::vector<std::string> notes;       // unmatched evaluations, protocol changes
  RegressOptions options;
  std::string baseline_label;
  std::string candidate_label;

  size_t regression_count() const;
  // 2: a mismatch; 1: at least one regression; 0: pass.
  int exit_code() const;
  std::string to_markdown() const;
  std::string to_junit_xml() const;
};

// Pairs evaluations by task and protocol name; a task evaluated under exactly one protocol in each
// run is paired even when the protocol names differ (the change is noted). UserError when the two
// runs share no task at all.
RegressResult regress(const LoadedRun& baseline, const LoadedRun& candidate, const RegressOptions& options = {});

}  // namespace dlmeval
