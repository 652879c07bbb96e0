#pragma once
// One multiple-choice task shape for every log-likelihood benchmark, following lm-eval's
// `multiple_choice` output type: context = description + few-shot examples + doc_to_text, one
// continuation " " + choice per option, target delimiter " ", few-shot delimiter "\n\n".
//
// Partial scoring (WinoGrande) turns it around: one context per option (the sentence up to the
// blank with the option filled in) and the shared rest of the sentence as the single continuation.
#include <string>
#include <vector>

#include "tasks/task_base.h"

namespace dlmeval {

struct ChoiceItem {
  std::string text;                  // doc_to_text; unused with partial scoring
  std::vector<std::string> choices;  // option texts (partial scoring: the per-option contexts)
  size_t gold = 0;
  std::string suffix;                // partial scoring: the shared continuation (without delimiter)
  std::vector<int> labels;           // TruthfulQA MC2: 1 = true answer, 0 = false
};

enum class ChoiceMetrics { AccAndNorm, AccOnly, Mc2 };

class ChoiceTask final : public BasicTask {
 public:
  ChoiceTask(std::string name, ChoiceMetrics metrics, bool partial, std::string version = "1.0");

  // lm-eval's target_delimiter (between context and option) and fewshot_delimiter (after each
  // example); " " and "\n\n" unless a task file says otherwise. Call before adding docs.
  void set_delimiters(std::string target_delimiter, std::string fewshot_delimiter);
  // What scoring_settings() reports (a task file records its definition's hash here).
  void set_scoring_settings(Json settings) { scoring_settings_ = std::move(settings); }
  Json scoring_settings() const override { return scoring_settings_; }

  // Adds one doc with its description (e.g. MMLU's subject line) and rendered few-shot block.
  void add(Doc doc, ChoiceItem item, const std::string& description, const std::string& fewshot_block);
  void add_file(const std::string& path) { files_.push_back(path); }
  // Indexes the docs; call once after the last add().
  void finish();

  // One few-shot example as lm-eval renders it: text + target delimiter + gold choice (partial:
  // gold context + delimiter + suffix), followed by the few-shot delimiter.
  std::string render_shot(const ChoiceItem& item) const;

  // The item of docs()[i], for tasks that render the same questions another way.
  const ChoiceItem& item_at(size_t i) const { return items_.at(i); }

  TaskRequest build_request(const Doc& doc) const override;
  ScoredSample score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const override;
  std::vector<std::string> metric_names() const override;

 private:
  ChoiceMetrics metrics_;
  bool partial_;
  std::string target_delimiter_ = " ";
  std::string fewshot_delimiter_ = "\n\n";
  Json scoring_settings_ = Json::object();
  std::vector<ChoiceItem> items_;            // aligned with docs_
  std::vector<std::string> prefixes_;        // description + few-shot block per doc
};

// Adds `docs` (all of them, in evaluation order) to `task` with few-shot examples drawn from the
// same docs by lm-eval's seeded sampler (the benchmarks' train splits are not in the data
// directory), keeping the first options.limit docs.
void add_with_drawn_shots(ChoiceTask& task, std::vector<Doc> docs, std::vector<ChoiceItem> items,
                          const std::string& description, const TaskOptions& options, int default_shots);

}  // namespace dlmeval
