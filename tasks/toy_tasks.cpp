#include "tasks/toy_tasks.h"

#include <algorithm>
#include <optional>

#include "harness/core/error.h"
#include "scorers/number_extraction.h"
#include "scorers/sandbox.h"
#include "tasks/choice_task.h"
#include "tasks/data_files.h"
#include "tasks/task_base.h"
#include "tasks/text_util.h"
#include "tasks/toy_suite.h"

namespace dlmeval {
namespace {

std::vector<Json> read_toy_records(const std::string& task, const std::string& family, const std::string& split,
                                   const TaskOptions& options, std::string* path_out) {
  const std::string path = locate_data_file(task, options.data_dir, toy_file(family, split));
  std::vector<Json> records = read_jsonl_records(path);
  for (size_t i = 0; i < records.size(); ++i) {
    check_toy_record(family, records[i], task + ": " + path + ":" + std::to_string(i + 1));
  }
  if (records.empty()) throw UserError(task + ": " + path + " holds no records");
  *path_out = path;
  return records;
}

std::string gold_number(const Json& record) {
  const std::string answer = record.at("answer").get<std::string>();
  return trim(answer.substr(answer.rfind("####") + 4));
}

class ToyArithTask : public BasicTask {
 public:
  explicit ToyArithTask(const TaskOptions& options) : BasicTask("toy_arith", "1.0", RequestKind::Generate) {
    std::string test_path, train_path;
    const std::vector<Json> test = read_toy_records(name(), "arith", "test", options, &test_path);
    files_.push_back(test_path);
    for (size_t i = 0; i < test.size(); ++i) docs_.push_back(Doc{std::to_string(i), test[i]});
    finish_docs(options);
    prefixes_.assign(docs_.size(), "");
    if (options.num_fewshot.value_or(0) > 0) {
      const std::vector<Json> train = read_toy_records(name(), "arith", "train", options, &train_path);
      files_.push_back(train_path);
      const int k = shots(options, 0, train.size());
      const auto picks = draw_fewshot(train.size(), docs_.size(), k, options.fewshot_seed, nullptr);
      for (size_t d = 0; d < docs_.size(); ++d) {
        for (size_t index : picks[d]) {
          prefixes_[d] += toy_arith_prompt(train[index]) + toy_arith_response(train[index]) + "\n\n";
        }
      }
    }
  }

  TaskRequest build_request(const Doc& doc) const override {
    TaskRequest request;
    request.kind = RequestKind::Generate;
    request.doc_id = doc.id;
    request.contexts = {prefixes_[index_of(doc)] + toy_arith_prompt(doc.fields)};
    request.stop_strings = {"Question:"};
    request.target = gold_number(doc.fields);
    return request;
  }

  ScoredSample score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const override {
    require_texts(*this, request, output);
    const std::string gold = gold_number(doc.fields);
    return score_numeric_answers(request, output, gold, [](const std::string& text) { return extract_gsm8k_strict(text); });
  }

  std::vector<std::string> metric_names() const override { return numeric_answer_metric_names(); }

 private:
  std::vector<std::string> prefixes_;
};

std::unique_ptr<Task> make_toy_choice(const TaskOptions& options) {
  auto task = std::make_unique<ChoiceTask>("toy_choice", ChoiceMetrics::AccAndNorm, false);
  std::string path;
  const std::vector<Json> records = read_toy_records(task->name(), "choice", "test", options, &path);
  task->add_file(path);
  std::vector<Doc> docs;
  std::vector<ChoiceItem> items;
  for (const Json& record : records) {
    ChoiceItem item;
    item.text = toy_choice_prompt(record);
    item.choices = toy_choice_options(record);
    item.gold = toy_choice_gold(record);
    docs.push_back(Doc{record["id"].get<std::string>(), record});
    items.push_back(std::move(item));
  }
  add_with_drawn_shots(*task, std::move(docs), std::move(items), "", options, 0);
  task->finish();
  return task;
}

// The same stops as HumanEval: the body ends where the next top-level statement would begin.
const std::vector<std::string> kCodeStops = {"\nclass", "\ndef", "\n#", "\nif", "\nprint"};

class ToyCodeTask : public BasicTask {
 public:
  explicit ToyCodeTask(const TaskOptions& options)
      : BasicTask("toy_code", "1.0", RequestKind::Generate), samples_(std::max(1, options.samples)) {
    policy_ = ExecutionPolicy::from_settings(options.code_timeout_rule, options.code_timeout_s);
    policy_.allow_unsandboxed = options.allow_unsandboxed_code;
    workers_ = std::max(1, options.code_workers);
    std::string path;
    for (Json& record : read_toy_records(name(), "code", "test", options, &path)) {
      std::string id = record["task_id"].get<std::string>();
      docs_.push_back(Doc{std::move(id), std::move(record)});
    }
    files_.push_back(path);
    shots(options, 0, 0);
    finish_docs(options);
    for (int k : {10, 100}) {
      if (k <= samples_) extra_k_.push_back(k);
    }
  }

  TaskRequest build_request(const Doc& doc) const override {
    index_of(doc);
    TaskRequest request;
    request.kind = RequestKind::Generate;
    request.doc_id = doc.id;
    request.samples = samples_;
    request.contexts = {toy_code_prompt(doc.fields)};
    request.stop_strings = kCodeStops;
    request.target = doc.fields.at("test");
    return request;
  }

  ScoredSample score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const override {
    return score_batch({&doc}, {request}, {output}).front();
  }

  std::vector<ScoredSample> score_batch(const std::vector<const Doc*>& docs, const std::vector<TaskRequest>& requests,
                                        const std::vector<TaskOutput>& outputs) const override {
    return score_code_completions(
        *this, docs, requests, outputs,
        [](const std::string& raw, const TaskRequest& request) { return truncate_at_stops(raw, request.stop_strings); },
        [](const Doc& doc, const std::string& completion) {
          const Json& f = doc.fields;
          return f.at("prompt").get<std::string>() + completion + "\n\n" + f.at("test").get<std::string>() +
                 "\n\ncheck(" + f.at("entry_point").get<std::string>() + ")\n";
        },
        [](const Doc& doc) { return doc.fields.value("canonical_solution", std::string()); }, extra_k_, policy_,
        workers_);
  }

  Json scoring_settings() const override { return {{"execution", policy_.to_json()}}; }

  std::vector<std::string> metric_names() const override { return pass_at_k_metric_names(extra_k_); }

 private:
  int samples_;
  int workers_ = 2;
  ExecutionPolicy policy_;
  std::vector<int> extra_k_;
};

// The integers of a comma-separated list, in order; nullopt when any item is not an integer.
std::optional<std::vector<long>> parse_count_list(const std::string& text) {
  std::vector<long> items;
  size_t at = 0;
  const std::string body = trim(text);
  if (body.empty()) return std::nullopt;
  while (at <= body.size()) {
    const size_t comma = std::min(body.find(',', at), body.size());
    const std::string item = trim(body.substr(at, comma - at));
    if (item.empty() || item.size() > 6 || !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    items.push_back(std::stol(item));
    at = comma + 1;
  }
  return items;
}

// Long answers (two-digit numbers only, so every item takes the same tokens): the whole list must
// be right for exact_match; item_accuracy gives the share of
// list positions that hold the right number (over the longer of the two lists), so a protocol
// that breaks the sequence halfway shows by how much.
class ToyCountTask : public BasicTask {
 public:
  explicit ToyCountTask(const TaskOptions& options) : BasicTask("toy_count", "1.0", RequestKind::Generate) {
    std::string path;
    for (Json& record : read_toy_records(name(), "count", "test", options, &path)) {
      std::string id = record["id"].get<std::string>();
      docs_.push_back(Doc{std::move(id), std::move(record)});
    }
    files_.push_back(path);
    shots(options, 0, 0);
    finish_docs(options);
  }

  TaskRequest build_request(const Doc& doc) const override {
    index_of(doc);
    TaskRequest request;
    request.kind = RequestKind::Generate;
    request.doc_id = doc.id;
    request.contexts = {toy_count_prompt(doc.fields)};
    request.stop_strings = {"Question:", "\n"};
    request.target = doc.fields.at("answer");
    return request;
  }

  ScoredSample score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const override {
    require_texts(*this, request, output);
    const std::vector<long> gold = *parse_count_list(doc.fields.at("answer").get<std::string>());
    double exact = 0, items = 0, invalid = 0;
    Json filtered = Json::array();
    for (const std::string& raw : output.texts) {
      const auto list = parse_count_list(truncate_at_stops(raw, request.stop_strings));
      if (!list) {
        invalid += 1;
        filtered.push_back(nullptr);
        continue;
      }
      exact += *list == gold;
      size_t right = 0;
      for (size_t i = 0; i < std::min(list->size(), gold.size()); ++i) right += (*list)[i] == gold[i];
      items += static_cast<double>(right) / static_cast<double>(std::max(list->size(), gold.size()));
      filtered.push_back(*list);
    }
    const double n = static_cast<double>(output.texts.size());
    ScoredSample scored;
    scored.metrics = {{"exact_match", exact / n}, {"item_accuracy", items / n}, {"invalid_extraction", invalid / n}};
    scored.filtered = std::move(filtered);
    return scored;
  }

  std::vector<std::string> metric_names() const override { return {"exact_match", "item_accuracy", "invalid_extraction"}; }
};

}  // namespace

std::unique_ptr<Task> make_toy_task(const std::string& name, const TaskOptions& options) {
  if (name == "toy_arith") return std::make_unique<ToyArithTask>(options);
  if (name == "toy_choice") return make_toy_choice(options);
  if (name == "toy_code") return std::make_unique<ToyCodeTask>(options);
  if (name == "toy_count") return std::make_unique<ToyCountTask>(options);
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> toy_task_list() {
  return {
      {"toy_arith", "Toy suite (dlmeval toy-data): one- and two-step word problems, GSM8K format; exact match"},
      {"toy_choice", "Toy suite: largest/smallest number and word categories, 4 options, ARC format; acc, acc_norm"},
      {"toy_code", "Toy suite: one-line Python functions with asserts, HumanEval format; pass@1 in the sandbox"},
      {"toy_count", "Toy suite: count from A to B (17-21 two-digit numbers, 64+ tokens): long answers; exact match, item accuracy"},
  };
}

}  // namespace dlmeval
