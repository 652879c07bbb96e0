#pragma once
// `dlmeval run`: plan (task × protocol), validate everything before any model work, run the
// remaining docs in batches, score them and append every sample as soon as it is scored, so a
// killed run resumes with nothing lost and nothing repeated.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/protocol_presets.h"
#include "harness/suite.h"
#include "results/manifest.h"
#include "runners/runner.h"
#include "tasks/task.h"

namespace dlmeval {

struct RunOptions {
  std::string model_dir;
  RuntimeOptions runtime;
  std::vector<std::string> tasks;      // with a suite: only these of its tasks (all when empty)
  std::vector<std::string> protocols;  // preset names or JSON files; empty with a suite
  std::optional<Suite> suite;          // plan = the suite's (task, protocol, shots) pairs
  std::string out_dir;
  std::optional<size_t> limit;
  std::optional<int> num_fewshot;
  uint64_t seed = 1234;
  size_t batch_size = 8;
  std::string data_dir;
  std::vector<std::string> task_files;  // task files or folders (tasks/README.md); --tasks may name their tasks
  ShardSpec shard;
  // Folders of an earlier split of this same run (another shard count): the docs of this shard
  // they finished are taken over as they are, not run again.
  std::vector<std::string> completed_from;
  bool allow_unsandboxed_code = false;
  std::string code_timeout_rule = "fixed";  // code tasks' execution limits (scorers/execution_policy.h)
  std::optional<double> code_timeout_s;
  bool quiet = false;
  bool dry_run = false;  // validate and plan only: no model, nothing written
};

// Parses "i/N" (0 <= i < N); UserError otherwise.
ShardSpec parse_shard(const std::string& text);

// The seed of one doc under one protocol: a hash of the run seed, task, protocol and doc id, so
// a doc's result never depends on batching, sharding or resuming.
uint64_t doc_seed(uint64_t run_seed, const std::string& task, const std::string& protocol_fingerprint,
                  const std::string& doc_id);

// Hash of a checkpoint folder: config and tokenizer files fully, weight files by name, size and
// their safetensors header (cheap for 16 GB checkpoints, changes whenever the weights' layout does).
std::string model_folder_hash(const std::string& dir);

using RunnerFactory = std::function<std::unique_ptr<Runner>(const std::string& model_dir, const RuntimeOptions&)>;

struct PlannedItem {
  std::string task, protocol, protocol_fingerprint;
  size_t docs = 0;  // this shard's docs
};

struct RunReport {
  std::vector<PlannedItem> plan;  // filled by a dry run
  size_t docs_run = 0;      // docs evaluated by this invocation
  size_t docs_resumed = 0;  // docs found complete in the out dir
  size_t docs_taken_over = 0;  // docs copied from --completed-from folders
  double seconds = 0;
};

RunReport execute_run(const RunOptions& options, const RunnerFactory& open_runner);

}  // namespace dlmeval
