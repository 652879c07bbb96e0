#include "tasks/predictions.h"

#include <unordered_map>
#include <unordered_set>

#include "harness/core/error.h"
#include "scorers/statistics.h"

namespace dlmeval {

std::vector<Prediction> read_predictions(const std::string& path) {
  std::vector<Prediction> predictions;
  std::unordered_set<std::string> seen;
  for_each_jsonl(path, [&](const Json& record, size_t line) {
    const std::string where = path + ":" + std::to_string(line);
    if (!record.is_object()) throw UserError(where + ": expected a JSON object");
    Prediction prediction;
    prediction.line = line;
    if (!record.contains("doc_id")) throw UserError(where + ": missing \"doc_id\"");
    const Json& id = record["doc_id"];
    if (id.is_string()) {
      prediction.doc_id = id.get<std::string>();
    } else if (id.is_number_integer()) {
      prediction.doc_id = id.dump();
    } else {
      throw UserError(where + ": \"doc_id\" must be a string or an integer");
    }
    const int kinds = record.contains("output") + record.contains("outputs") + record.contains("loglik");
    if (kinds != 1) throw UserError(where + ": expected exactly one of \"output\", \"outputs\", \"loglik\"");
    if (record.contains("output")) {
      if (!record["output"].is_string()) throw UserError(where + ": \"output\" must be a string");
      prediction.output.texts = {record["output"].get<std::string>()};
    } else if (record.contains("outputs")) {
      const Json& outputs = record["outputs"];
      if (!outputs.is_array() || outputs.empty()) throw UserError(where + ": \"outputs\" must be a non-empty array");
      for (const Json& text : outputs) {
        if (!text.is_string()) throw UserError(where + ": \"outputs\" must hold strings");
        prediction.output.texts.push_back(text.get<std::string>());
      }
    } else {
      const Json& loglik = record["loglik"];
      if (!loglik.is_array() || loglik.empty()) throw UserError(where + ": \"loglik\" must be a non-empty array");
      for (const Json& value : loglik) {
        if (!value.is_number()) throw UserError(where + ": \"loglik\" must hold numbers");
        prediction.output.loglik.push_back(value.get<double>());
      }
    }
    if (!seen.insert(prediction.doc_id).second) {
      throw UserError(where + ": doc_id " + prediction.doc_id + " appears twice");
    }
    predictions.push_back(std::move(prediction));
  });
  if (predictions.empty()) throw UserError(path + ": no predictions");
  return predictions;
}

ScoreReport score_predictions(const Task& task, const std::vector<Prediction>& predictions, const std::string& path,
                              int bootstrap_resamples, uint64_t bootstrap_seed) {
  std::unordered_map<std::string, const Doc*> by_id;
  for (const Doc& doc : task.docs()) by_id.emplace(doc.id, &doc);

  std::vector<const Doc*> docs;
  std::vector<TaskRequest> requests;
  std::vector<TaskOutput> outputs;
  for (const Prediction& prediction : predictions) {
    const std::string where = path + ":" + std::to_string(prediction.line);
    auto it = by_id.find(prediction.doc_id);
    if (it == by_id.end()) {
      throw UserError(where + ": unknown doc_id " + prediction.doc_id + " for task " + task.name());
    }
    const bool choice = task.kind() == RequestKind::Choice;
    if (choice && prediction.output.loglik.empty()) {
      throw UserError(where + ": task " + task.name() + " is multiple choice and needs \"loglik\"");
    }
    if (!choice && prediction.output.texts.empty()) {
      throw UserError(where + ": task " + task.name() + " is generative and needs \"output\" or \"outputs\"");
    }
    docs.push_back(it->second);
    requests.push_back(task.build_request(*it->second));
    outputs.push_back(prediction.output);
  }

  std::vector<ScoredSample> scored;
  try {
    scored = task.score_batch(docs, requests, outputs);
  } catch (const UserError& e) {
    throw UserError(path + ": " + e.what());
  }

  ScoreReport report;
  for (size_t i = 0; i < predictions.size(); ++i) report.per_doc.push_back({predictions[i].doc_id, std::move(scored[i])});
  for (const std::string& name : task.metric_names()) {
    std::vector<double> values;
    for (const auto& entry : report.per_doc) {
      auto it = entry.sample.metrics.find(name);
      if (it != entry.sample.metrics.end()) values.push_back(it->second);
    }
    PredictionMetric summary;
    summary.name = name;
    summary.count = values.size();
    summary.mean = mean(values);
    summary.stderr_bootstrap = bootstrap_stderr(values, bootstrap_resamples, bootstrap_seed);
    report.metrics.push_back(summary);
  }
  return report;
}

}  // namespace dlmeval
