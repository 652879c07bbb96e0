#pragma once
// The plan of a run: what will be evaluated (task x protocol pairs, from a suite or from every
// given protocol of each task's kind), with which docs in this shard, under which seeds, recorded
// in a manifest. Built and validated before any model work, so a dry run and a real run see the
// same plan and every user mistake surfaces before the model loads.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/evaluation_run.h"

namespace dlmeval {

struct PlannedEvaluation {
  Task* task = nullptr;
  const ResolvedProtocol* protocol = nullptr;
  std::string samples_path;
};

struct RunPlan {
  RunOptions options;  // as given, with the tasks of task files filled in when --tasks was empty
  std::string data_dir;
  std::optional<Suite> suite;
  std::vector<std::unique_ptr<Task>> tasks;
  std::vector<ResolvedProtocol> protocols;  // reserved once: evaluations point into it
  std::vector<PlannedEvaluation> evaluations;
  // Everything the run records that is known before the model loads (no model description, no
  // timestamps).
  RunManifest manifest;

  RunPlan() = default;
  RunPlan(const RunPlan&) = delete;
  RunPlan& operator=(const RunPlan&) = delete;
  RunPlan(RunPlan&&) = default;
  RunPlan& operator=(RunPlan&&) = default;

  // The docs of `task` that belong to this run's shard, in plan order.
  std::vector<const Doc*> shard_docs(const Task& task) const;
};

// The shard rule, the one place it is written: doc i of a task belongs to shard i mod N.
bool in_shard(size_t doc_index, const ShardSpec& shard);

// UserError for anything wrong with the options, the tasks, their data or the protocols.
RunPlan build_plan(const RunOptions& options);

}  // namespace dlmeval
