#pragma once
// Scoring model outputs written by any tool: a JSON-lines predictions file, one line per doc:
//   {"doc_id": ID, "output": "..."}            generation, one completion
//   {"doc_id": ID, "outputs": ["...", ...]}     generation, n completions (pass@k)
//   {"doc_id": ID, "loglik": [x, ...]}          choice tasks, one score per option
// ID is the dataset's own id as the task reports it (a string, or an integer for numeric ids).
#include <string>
#include <vector>

#include "tasks/task.h"

namespace dlmeval {

struct Prediction {
  std::string doc_id;
  TaskOutput output;
  size_t line = 0;  // 1-based line in the predictions file, for error messages
};

// Reads and validates every line; UserError naming file:line for a malformed line, a missing or
// mistyped field, or a doc id given twice.
std::vector<Prediction> read_predictions(const std::string& path);

struct ScoredPrediction {
  std::string doc_id;
  ScoredSample sample;
};

struct PredictionMetric {
  std::string name;
  double mean = 0;
  double stderr_bootstrap = 0;
  size_t count = 0;
};

struct ScoreReport {
  std::vector<ScoredPrediction> per_doc;  // in predictions-file order
  std::vector<PredictionMetric> metrics;     // in task.metric_names() order
};

// Scores the predictions against `task` (built without --limit so every id resolves). UserError
// naming path:line for an unknown doc id or an output of the wrong kind.
ScoreReport score_predictions(const Task& task, const std::vector<Prediction>& predictions, const std::string& path,
                              int bootstrap_resamples, uint64_t bootstrap_seed);

}  // namespace dlmeval
