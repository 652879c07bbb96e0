// Code generation, scored by running the program in the sandbox (scorers/sandbox.h).
//  * humaneval:          lm-eval `humaneval`: the raw prompt, 0-shot, stops "\nclass", "\ndef", "\n#",
//                        "\nif", "\nprint"; program = prompt + completion + test + check(entry_point).
//  * humaneval_instruct: lm-eval `humaneval_instruct`: the prompt inside a ```python fence, then the
//                        answer prefix "Here is the completed function:\n```python\n{prompt}\n"; the
//                        completion is cut at the closing fence.
//  * mbpp:               the 500 test problems (task ids 11-510) of Austin et al. (2021), 3 shots from
//                        ids 2, 3, 4 in the paper's [BEGIN]/[DONE] format; program = code + setup + asserts.
//  * mbpp_sanitized:     the hand-verified subset (its test ids 11-510), same format.
// pass@1 is always reported; with n samples per doc, pass@k for every k in {10, 100} with k <= n.
#include <algorithm>

#include "harness/core/error.h"
#include "harness/core/json_fields.h"
#include "scorers/sandbox.h"
#include "tasks/data_files.h"
#include "tasks/families.h"
#include "tasks/task_base.h"
#include "tasks/text_util.h"

namespace dlmeval {
namespace {

enum class Family { HumanEval, HumanEvalInstruct, Mbpp, MbppSanitized };

const std::vector<std::string> kHumanEvalStops = {"\nclass", "\ndef", "\n#", "\nif", "\nprint"};

std::string require_string(const std::string& task, const Json& record, const char* key, const std::string& where) {
  return string_field(record, key, task + ": " + where);
}

std::vector<std::string> require_strings(const std::string& task, const Json& record, const char* key,
                                         const std::string& where) {
  std::vector<std::string> out;
  for (const Json& item : array_field(record, key, task + ": " + where)) {
    if (!item.is_string()) throw UserError(task + ": " + where + ": \"" + key + "\" must hold strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// The body of the first ```python (or bare ```) block when the text opens one; else the text.
std::string strip_code_fence(const std::string& text) {
  size_t open = text.find("```");
  if (open == std::string::npos) return text;
  size_t body = text.find('\n', open);
  if (body == std::string::npos) return text.substr(0, open);
  size_t close = text.find("```", body + 1);
  return text.substr(body + 1, close == std::string::npos ? std::string::npos : close - body - 1);
}

class CodeTask : public BasicTask {
 public:
  CodeTask(const std::string& name, Family family, const TaskOptions& options)
      : BasicTask(name, "1.0", RequestKind::Generate), family_(family), samples_(std::max(1, options.samples)) {
    policy_ = ExecutionPolicy::from_settings(options.code_timeout_rule, options.code_timeout_s);
    policy_.allow_unsandboxed = options.allow_unsandboxed_code;
    workers_ = std::max(1, options.code_workers);
    if (family_ == Family::HumanEval || family_ == Family::HumanEvalInstruct) {
      load_humaneval(options);
    } else {
      load_mbpp(options);
    }
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
    switch (family_) {
      case Family::HumanEval:
        request.contexts = {doc.fields.at("prompt").get<std::string>()};
        request.stop_strings = kHumanEvalStops;
        request.target = doc.fields.at("test");
        break;
      case Family::HumanEvalInstruct: {
        const std::string prompt = doc.fields.at("prompt").get<std::string>();
        request.contexts = {"Write a solution to the following problem and make sure that it passes the tests:\n```python\n" +
                            prompt + "\n```\nHere is the completed function:\n```python\n" + prompt + "\n"};
        request.stop_strings = kHumanEvalStops;
        request.target = doc.fields.at("test");
        break;
      }
      case Family::Mbpp:
      case Family::MbppSanitized:
        request.contexts = {mbpp_fewshot_ + mbpp_query(doc.fields)};
        request.stop_strings = {"[DONE]"};
        request.target = doc.fields.at("test_list");
        break;
    }
    return request;
  }

  ScoredSample score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const override {
    return score_batch({&doc}, {request}, {output}).front();
  }

  std::vector<ScoredSample> score_batch(const std::vector<const Doc*>& docs, const std::vector<TaskRequest>& requests,
                                        const std::vector<TaskOutput>& outputs) const override {
    return score_code_completions(
        *this, docs, requests, outputs,
        [this](const std::string& raw, const TaskRequest& request) { return extract_completion(raw, request.stop_strings); },
        [this](const Doc& doc, const std::string& completion) { return program(doc, completion); },
        [this](const Doc& doc) { return reference_solution(doc); }, extra_k_, policy_, workers_);
  }

  Json scoring_settings() const override { return {{"execution", policy_.to_json()}}; }

  std::vector<std::string> metric_names() const override { return pass_at_k_metric_names(extra_k_); }

 private:
  void load_humaneval(const TaskOptions& options) {
    const std::string path = locate_data_file(name(), options.data_dir, "humaneval/HumanEval.jsonl.gz");
    files_.push_back(path);
    size_t line = 0;
    for (const Json& record : read_jsonl_records(path)) {
      const std::string where = path + ":" + std::to_string(++line);
      for (const char* key : {"prompt", "test", "entry_point"}) require_string(name(), record, key, where);
      docs_.push_back(Doc{require_string(name(), record, "task_id", where), record});
    }
    shots(options, 0, 0);
    finish_docs(options);
  }

  void load_mbpp(const TaskOptions& options) {
    const bool sanitized = family_ == Family::MbppSanitized;
    const std::string path =
        locate_data_file(name(), options.data_dir, sanitized ? "mbpp/sanitized-mbpp.json" : "mbpp/mbpp.jsonl");
    files_.push_back(path);
    std::vector<Json> records;
    if (sanitized) {
      Json all = read_json_file(path);
      if (!all.is_array()) throw UserError(name() + ": " + path + ": expected a JSON array of problems");
      records.assign(all.begin(), all.end());
    } else {
      records = read_jsonl_records(path);
    }
    std::map<int, Json> prompt_problems;
    for (size_t i = 0; i < records.size(); ++i) {
      Json& record = records[i];
      const std::string where = path + ": record " + std::to_string(i + 1);
      if (!record.is_object() || !record.contains("task_id") || !record["task_id"].is_number_integer()) {
        throw UserError(name() + ": " + where + ": missing integer field \"task_id\"");
      }
      // The two files name the description differently; keep one name so prompts read the same.
      require_string(name(), record, sanitized ? "prompt" : "text", where);
      require_string(name(), record, "code", where);
      if (require_strings(name(), record, "test_list", where).empty()) {
        throw UserError(name() + ": " + where + ": empty \"test_list\"");
      }
      const int id = record["task_id"].get<int>();
      if (id >= 2 && id <= 4) prompt_problems[id] = record;
      if (id >= 11 && id <= 510) docs_.push_back(Doc{std::to_string(id), record});
    }
    const int k = shots(options, 3, 3);
    for (int id = 2; id < 2 + k; ++id) {
      auto it = prompt_problems.find(id);
      if (it == prompt_problems.end()) {
        throw UserError(name() + ": " + path + ": few-shot problem task_id " + std::to_string(id) + " is missing");
      }
      mbpp_fewshot_ += mbpp_query(it->second) + it->second["code"].get<std::string>() + "\n[DONE]\n\n";
    }
    finish_docs(options);
  }

  std::string mbpp_query(const Json& record) const {
    const std::string text = record.at(family_ == Family::MbppSanitized ? "prompt" : "text").get<std::string>();
    std::string tests;
    for (const Json& test : record.at("test_list")) tests += test.get<std::string>() + "\n";
    return "You are an expert Python programmer, and here is your task: " + text +
           " Your code should pass these tests:\n\n" + tests + "[BEGIN]\n";
  }

  std::string extract_completion(const std::string& raw, const std::vector<std::string>& stops) const {
    switch (family_) {
      case Family::HumanEval:
        return truncate_at_stops(raw, stops);
      case Family::HumanEvalInstruct: {
        // The prompt already opened the fence, so the completion ends at the closing one; a model
        // that opens a fresh ```python block anyway gets that block's body.
        const size_t fence = raw.find("```");
        if (fence != std::string::npos && raw.compare(fence, 9, "```python") == 0) return strip_code_fence(raw);
        return truncate_at_stops(fence == std::string::npos ? raw : raw.substr(0, fence), stops);
      }
      case Family::Mbpp:
      case Family::MbppSanitized: {
        std::string code = truncate_at_stops(raw, stops);
        const std::string trimmed = trim(code);
        if (starts_with(trimmed, "[BEGIN]")) code = trimmed.substr(7);
        if (code.find("```") != std::string::npos) code = strip_code_fence(code);
        return code;
      }
    }
    return raw;
  }

  // The dataset's own solution, completing the prompt as a model's completion would.
  std::string reference_solution(const Doc& doc) const {
    const bool humaneval = family_ == Family::HumanEval || family_ == Family::HumanEvalInstruct;
    return doc.fields.at(humaneval ? "canonical_solution" : "code").get<std::string>();
  }

  std::string program(const Doc& doc, const std::string& completion) const {
    const Json& f = doc.fields;
    if (family_ == Family::HumanEval || family_ == Family::HumanEvalInstruct) {
      return f.at("prompt").get<std::string>() + completion + "\n\n" + f.at("test").get<std::string>() + "\n\ncheck(" +
             f.at("entry_point").get<std::string>() + ")\n";
    }
    std::string setup;
    if (family_ == Family::Mbpp) {
      if (f.contains("test_setup_code") && f["test_setup_code"].is_string()) setup = f["test_setup_code"].get<std::string>();
    } else if (f.contains("test_imports") && f["test_imports"].is_array()) {
      for (const Json& line : f["test_imports"]) setup += line.get<std::string>() + "\n";
    }
    std::string asserts;
    for (const Json& test : f.at("test_list")) asserts += test.get<std::string>() + "\n";
    return completion + "\n" + setup + "\n" + asserts;
  }

  Family family_;
  int samples_;
  int workers_ = 2;
  ExecutionPolicy policy_;
  std::vector<int> extra_k_;
  std::string mbpp_fewshot_;
};

}  // namespace

std::unique_ptr<Task> make_code_task(const std::string& name, const TaskOptions& options) {
  if (name == "humaneval") return std::make_unique<CodeTask>(name, Family::HumanEval, options);
  if (name == "humaneval_instruct") return std::make_unique<CodeTask>(name, Family::HumanEvalInstruct, options);
  if (name == "mbpp") return std::make_unique<CodeTask>(name, Family::Mbpp, options);
  if (name == "mbpp_sanitized") return std::make_unique<CodeTask>(name, Family::MbppSanitized, options);
  return nullptr;
}

}  // namespace dlmeval
