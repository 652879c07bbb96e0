#pragma once
// The records every room passes around: a doc, the request a task makes of it, the runner's output,
// the scored sample, and the sample record a run keeps per doc. Each has one JSON form, and
// request_json is the one serialisation of a request that every hash is taken over (the record's
// prompt_hash, a task's prompt fingerprint).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "harness/core/model_cost.h"

namespace dlmeval {

struct Doc {
  std::string id;  // the dataset's own id ("HumanEval/0", MBPP task_id, else 0-based record index)
  Json fields;     // the record as read from the file
};

enum class RequestKind { Generate, Choice };

struct TaskRequest {
  RequestKind kind = RequestKind::Generate;
  std::string doc_id;
  // Generate: contexts[0] is the prompt. Choice: one shared context, or one per continuation.
  std::vector<std::string> contexts;
  std::vector<std::string> continuations;   // Choice only
  std::vector<std::string> stop_strings;    // Generate only ("until")
  Json target;                              // what the scorer compares against (for sample logs)
  int samples = 1;                          // Generate: completions per doc (pass@k needs n > 1)
  // Generate: the prompt as chat turns ({"role", "content"} objects) for protocols that apply the
  // chat template, when its few-shot examples are turns of their own; empty = one user turn
  // holding contexts[0]. contexts[0] stays the plain-text rendering.
  Json chat_messages = Json::array();
};

// {"kind", "contexts", "continuations", "until", "samples"[, "chat_messages"]}: what the model is
// asked, without the doc id or the target. A sample record's "arguments".
Json request_json(const TaskRequest& request);
// sha256 of request_json(request).dump(): equal exactly when two requests ask the same thing.
std::string request_hash(const TaskRequest& request);

struct TaskOutput {
  std::vector<std::string> texts;   // Generate: one raw completion per sample
  std::vector<double> loglik;       // Choice: one score per continuation (higher = preferred)
  // Choice under an autoregressive likelihood: per continuation, whether every token was the
  // model's argmax (lm-eval's is_greedy); empty for estimators that have no such notion.
  std::vector<bool> is_greedy;
};

struct ScoredSample {
  std::map<std::string, double> metrics;  // e.g. {"exact_match": 1.0}
  Json filtered;                          // extracted answers per sample, for the sample log
};

// What one doc cost under one protocol (runners report calls, tokens and seconds).
struct SampleCost {
  int64_t prompt_tokens = 0;
  int64_t generated_tokens = 0;            // generation only: all samples of the doc
  std::vector<int64_t> generated_tokens_per_sample;  // generation only: one count per answer
  int64_t forward_passes = 0;              // model calls (a guided call on the doubled batch counts once)
  std::vector<double> loglik_stderr;       // choice only: Monte-Carlo standard error per option
  double seconds = 0;                      // the doc's share of its batch's wall time
  ModelCost model;                         // rows, tokens, FLOPs, model seconds, peak memory
};

// One line of a run's samples file.
struct SampleRecord {
  std::string doc_id;
  size_t doc_index = 0;  // position in the task's plan, so merged shards keep its order
  std::string task, protocol, protocol_fingerprint;
  Json doc;              // the dataset record
  TaskRequest request;   // written as "arguments" (and "target")
  TaskOutput output;     // written as "resps"
  ScoredSample scored;   // "metrics", "filtered_resps"
  uint64_t seed = 0;
  SampleCost cost;

  // The record's JSON, with doc_hash, prompt_hash and target_hash computed from it.
  Json to_json() const;
};

// The fields readers of sample files rely on, checked: "doc_id" a string, "metrics" an object of
// numbers (booleans read as 0/1). UserError naming `where` otherwise.
struct SampleView {
  std::string doc_id;
  std::map<std::string, double> metrics;
};
SampleView read_sample_view(const Json& record, const std::string& where);

}  // namespace dlmeval
