// BIG-Bench Hard, 3-shot chain of thought as in lm-eval's `bbh_cot_fewshot` (v4.0): the per-task
// description and exemplars come from the benchmark's own cot-prompts/<subtask>.txt, the question
// follows as "Q: {input}\nA: Let's think step by step.\n". Scoring takes the text after the last
// "the answer is" and compares it with the target after per-task normalisation (scorers/bbh_answer.h).
//
// Stop strings: "</s>", "Q:" and "\n\n". lm-eval stops at a bare "Q", which also cuts answers that
// merely contain a capital Q ("Queen"); "Q:" still stops a model that starts the next exemplar.
#include <algorithm>

#include "harness/core/error.h"
#include "scorers/bbh_answer.h"
#include "tasks/data_files.h"
#include "tasks/families.h"
#include "tasks/task_base.h"
#include "tasks/text_util.h"

namespace dlmeval {
namespace {

struct CotPrompt {
  std::string description;
  std::vector<std::string> exemplars;  // each "Q: ...\nA: Let's think step by step.\n... So the answer is X."
};

// cot-prompts files: a canary line, "-----", the description, a blank line, then exemplars
// ("Q: ...") separated by blank lines.
CotPrompt parse_cot_prompt(const std::string& task, const std::string& path) {
  std::string text = replace_all(read_file_bytes(path), "\r\n", "\n");
  const size_t rule = text.find("-----\n");
  if (rule == std::string::npos) throw UserError(task + ": " + path + ": missing the \"-----\" line after the canary");
  text = text.substr(rule + 6);
  // The description runs up to the first exemplar; snarks' spans two paragraphs.
  const size_t first_q = starts_with(text, "Q:") ? 0 : text.find("\n\nQ:");
  CotPrompt prompt;
  prompt.description = trim(text.substr(0, first_q));
  std::string rest = first_q == std::string::npos ? "" : trim(text.substr(first_q));
  size_t start = 0;
  while (start < rest.size()) {
    size_t next = rest.find("\n\nQ:", start);
    prompt.exemplars.push_back(trim(rest.substr(start, next == std::string::npos ? std::string::npos : next - start)));
    if (next == std::string::npos) break;
    start = next + 2;
  }
  if (prompt.description.empty() || prompt.exemplars.empty() || !starts_with(prompt.exemplars[0], "Q:")) {
    throw UserError(task + ": " + path + ": expected a description line and \"Q: ...\" exemplars");
  }
  return prompt;
}

class BbhTask : public BasicTask {
 public:
  BbhTask(const std::string& name, const std::vector<std::string>& subtasks, const TaskOptions& options)
      : BasicTask(name, "1.0", RequestKind::Generate) {
    for (const std::string& subtask : subtasks) {
      const std::string data_path = locate_data_file(name, options.data_dir, "bbh/bbh/" + subtask + ".json");
      const std::string prompt_path = locate_data_file(name, options.data_dir, "bbh/cot-prompts/" + subtask + ".txt");
      files_.push_back(data_path);
      files_.push_back(prompt_path);
      const CotPrompt prompt = parse_cot_prompt(name, prompt_path);
      const int k = shots(options, 3, prompt.exemplars.size());
      std::string prefix = prompt.description + "\n\n";
      for (int i = 0; i < k; ++i) prefix += prompt.exemplars[i] + "\n\n";
      prefixes_[subtask] = std::move(prefix);

      const Json data = read_json_file(data_path);
      if (!data.is_object() || !data.contains("examples") || !data["examples"].is_array()) {
        throw UserError(name + ": " + data_path + ": expected an object with an \"examples\" array");
      }
      // lm-eval applies --limit to each subtask of a group, so the group keeps every subtask.
      size_t taken = 0;
      for (size_t i = 0; i < data["examples"].size(); ++i) {
        if (options.limit && taken >= *options.limit) break;
        const Json& example = data["examples"][i];
        if (!example.is_object() || !example.contains("input") || !example["input"].is_string() ||
            !example.contains("target") || !example["target"].is_string()) {
          throw UserError(name + ": " + data_path + ": example " + std::to_string(i) +
                          " needs string fields \"input\" and \"target\"");
        }
        docs_.push_back(Doc{subtask + "/" + std::to_string(i), example});
        ++taken;
      }
    }
    finish_docs(TaskOptions{});
  }

  TaskRequest build_request(const Doc& doc) const override {
    index_of(doc);
    TaskRequest request;
    request.kind = RequestKind::Generate;
    request.doc_id = doc.id;
    request.contexts = {prefixes_.at(subtask_of(doc)) + "Q: " + doc.fields.at("input").get<std::string>() +
                        "\nA: Let's think step by step.\n"};
    request.stop_strings = {"</s>", "Q:", "\n\n"};
    request.target = doc.fields.at("target");
    return request;
  }

  ScoredSample score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const override {
    require_texts(*this, request, output);
    const std::string target = doc.fields.at("target").get<std::string>();
    double hits = 0;
    Json filtered = Json::array();
    for (const std::string& raw : output.texts) {
      const std::string text = truncate_at_stops(raw, request.stop_strings);
      filtered.push_back(extract_bbh_answer(text));
      hits += bbh_match(text, target);
    }
    ScoredSample scored;
    scored.metrics = {{"exact_match", hits / static_cast<double>(output.texts.size())}};
    scored.filtered = std::move(filtered);
    return scored;
  }

  std::vector<std::string> metric_names() const override { return {"exact_match"}; }

 private:
  static std::string subtask_of(const Doc& doc) { return doc.id.substr(0, doc.id.find('/')); }

  std::map<std::string, std::string> prefixes_;  // subtask -> description + exemplars
};

}  // namespace

const std::vector<std::string>& bbh_subtasks() {
  static const std::vector<std::string> names = {
      "boolean_expressions", "causal_judgement", "date_understanding", "disambiguation_qa", "dyck_languages",
      "formal_fallacies", "geometric_shapes", "hyperbaton", "logical_deduction_five_objects",
      "logical_deduction_seven_objects", "logical_deduction_three_objects", "movie_recommendation",
      "multistep_arithmetic_two", "navigate", "object_counting", "penguins_in_a_table",
      "reasoning_about_colored_objects", "ruin_names", "salient_translation_error_detection", "snarks",
      "sports_understanding", "temporal_sequences", "tracking_shuffled_objects_five_objects",
      "tracking_shuffled_objects_seven_objects", "tracking_shuffled_objects_three_objects", "web_of_lies",
      "word_sorting"};
  return names;
}

std::unique_ptr<Task> make_bbh_task(const std::string& name, const TaskOptions& options) {
  if (name == "bbh") return std::make_unique<BbhTask>(name, bbh_subtasks(), options);
  if (!starts_with(name, "bbh_")) return nullptr;
  const std::string subtask = name.substr(4);
  const auto& all = bbh_subtasks();
  if (std::find(all.begin(), all.end(), subtask) == all.end()) return nullptr;
  return std::make_unique<BbhTask>(name, std::vector<std::string>{subtask}, options);
}

}  // namespace dlmeval
