// MMLU as lm-eval's `mmlu` (default template): per subject the description "The following are
// multiple choice questions (with answers) about {subject}.\n\n", 5 shots = the first five dev
// questions, "{question}\nA. ..\nB. ..\nC. ..\nD. ..\nAnswer:" with continuations " A".." D".
// The group `mmlu` holds all 57 subjects; its score is the mean over every question (micro average).
//
// `mmlu_gen` asks the same questions for a generated letter as OpenCompass's mmlu_gen_a484b3:
// per subject the hint "There is a single choice question about {subject}. Answer the question by
// replying A, B, C or D.", the first five dev questions as rounds "{hint}\nQuestion: {q}\nA. ..
// \nD. ..\nAnswer: " → "{letter}\n", then "{hint}\nQ: {q}\nA. ..\nD. ..\nA: ". As plain text the
// rounds are concatenated; under a chat-template protocol they are chat turns.
//
// Reads <subject>_{dev,test}.csv either with the converted header "question,choice0..3,answer"
// (answer 0-3) or in the original release's form (no header, answer letter A-D).
#include <algorithm>

#include "harness/core/error.h"
#include "tasks/choice_task.h"
#include "tasks/data_files.h"
#include "tasks/families.h"
#include "tasks/letter_gen_task.h"
#include "tasks/text_util.h"

namespace dlmeval {
namespace {

struct SubjectRows {
  std::vector<ChoiceItem> items;
  std::vector<Json> records;  // {"question", "choices", "answer"} as read
};

SubjectRows read_subject(const std::string& task, const std::string& path) {
  std::vector<std::vector<std::string>> rows = read_csv_rows(path);
  if (!rows.empty() && !rows[0].empty() && rows[0][0] == "question") rows.erase(rows.begin());
  SubjectRows out;
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const std::string where = task + ": " + path + ": row " + std::to_string(r + 1);
    if (row.size() != 6) throw UserError(where + ": expected 6 columns, got " + std::to_string(row.size()));
    const std::string& answer = row[5];
    size_t gold;
    if (answer.size() == 1 && answer[0] >= '0' && answer[0] <= '3') {
      gold = answer[0] - '0';
    } else if (answer.size() == 1 && answer[0] >= 'A' && answer[0] <= 'D') {
      gold = answer[0] - 'A';
    } else {
      throw UserError(where + ": answer must be 0-3 or A-D, got \"" + answer + "\"");
    }
    ChoiceItem item;
    item.text = trim(row[0]) + "\nA. " + row[1] + "\nB. " + row[2] + "\nC. " + row[3] + "\nD. " + row[4] + "\nAnswer:";
    item.choices = {"A", "B", "C", "D"};
    item.gold = gold;
    out.items.push_back(std::move(item));
    out.records.push_back({{"question", row[0]}, {"choices", {row[1], row[2], row[3], row[4]}}, {"answer", gold}});
  }
  return out;
}

std::string mmlu_gen_question(const std::string& hint, const char* question_tag, const Json& record,
                              const char* answer_tag) {
  std::vector<std::string> choices;
  for (const auto& c : record["choices"]) choices.push_back(c.get<std::string>());
  return hint + "\n" + question_tag + record["question"].get<std::string>() + "\n" + lettered_options(choices) + answer_tag;
}

std::unique_ptr<Task> make_mmlu_gen(const std::string& name, const TaskOptions& options) {
  if (options.num_fewshot && *options.num_fewshot != 5)
    throw UserError(name + ": the OpenCompass prompt has exactly 5 shots");
  auto task = std::make_unique<LetterGenTask>(name, "ABCD");
  for (const std::string& subject : mmlu_subjects()) {
    const std::string test_path = locate_data_file(name, options.data_dir, "mmlu/test/" + subject + "_test.csv");
    const std::string dev_path = locate_data_file(name, options.data_dir, "mmlu/dev/" + subject + "_dev.csv");
    task->add_file(test_path);
    task->add_file(dev_path);
    const std::string hint = "There is a single choice question about " + replace_all(subject, "_", " ") +
                             ". Answer the question by replying A, B, C or D.";
    const SubjectRows dev = read_subject(name, dev_path);
    if (dev.records.size() < 5) throw UserError(name + ": " + dev_path + ": needs 5 dev questions");
    std::string plain;
    Json turns = Json::array();
    for (size_t i = 0; i < 5; ++i) {
      const std::string asked = mmlu_gen_question(hint, "Question: ", dev.records[i], "Answer: ");
      const std::string answer = std::string(1, static_cast<char>('A' + dev.items[i].gold)) + "\n";
      plain += asked + answer;
      turns.push_back({{"role", "user"}, {"content", asked}});
      turns.push_back({{"role", "assistant"}, {"content", answer}});
    }
    SubjectRows test = read_subject(name, test_path);
    const size_t n = options.limit ? std::min(*options.limit, test.items.size()) : test.items.size();
    for (size_t i = 0; i < n; ++i) {
      LetterItem item;
      const std::string asked = mmlu_gen_question(hint, "Q: ", test.records[i], "A: ");
      item.prompt = plain + asked;
      item.chat_messages = turns;
      item.chat_messages.push_back({{"role", "user"}, {"content", asked}});
      item.gold = std::string(1, static_cast<char>('A' + test.items[i].gold));
      task->add(Doc{subject + "/" + std::to_string(i), std::move(test.records[i])}, std::move(item));
    }
  }
  // --limit is applied per subject above, as for `mmlu`.
  task->finish(TaskOptions{});
  return task;
}

}  // namespace

const std::vector<std::string>& mmlu_subjects() {
  static const std::vector<std::string> names = {
      "abstract_algebra", "anatomy", "astronomy", "business_ethics", "clinical_knowledge", "college_biology",
      "college_chemistry", "college_computer_science", "college_mathematics", "college_medicine",
      "college_physics", "computer_security", "conceptual_physics", "econometrics", "electrical_engineering",
      "elementary_mathematics", "formal_logic", "global_facts", "high_school_biology", "high_school_chemistry",
      "high_school_computer_science", "high_school_european_history", "high_school_geography",
      "high_school_government_and_politics", "high_school_macroeconomics", "high_school_mathematics",
      "high_school_microeconomics", "high_school_physics", "high_school_psychology", "high_school_statistics",
      "high_school_us_history", "high_school_world_history", "human_aging", "human_sexuality",
      "international_law", "jurisprudence", "logical_fallacies", "machine_learning", "management", "marketing",
      "medical_genetics", "miscellaneous", "moral_disputes", "moral_scenarios", "nutrition", "philosophy",
      "prehistory", "professional_accounting", "professional_law", "professional_medicine",
      "professional_psychology", "public_relations", "security_studies", "sociology", "us_foreign_policy",
      "virology", "world_religions"};
  return names;
}

std::unique_ptr<Task> make_mmlu_task(const std::string& name, const TaskOptions& options) {
  if (name == "mmlu_gen") return make_mmlu_gen(name, options);
  std::vector<std::string> subjects;
  if (name == "mmlu") {
    subjects = mmlu_subjects();
  } else if (starts_with(name, "mmlu_")) {
    const std::string subject = name.substr(5);
    const auto& all = mmlu_subjects();
    if (std::find(all.begin(), all.end(), subject) == all.end()) return nullptr;
    subjects = {subject};
  } else {
    return nullptr;
  }
  auto task = std::make_unique<ChoiceTask>(name, ChoiceMetrics::AccAndNorm, false);
  for (const std::string& subject : subjects) {
    const std::string test_path = locate_data_file(name, options.data_dir, "mmlu/test/" + subject + "_test.csv");
    const std::string dev_path = locate_data_file(name, options.data_dir, "mmlu/dev/" + subject + "_dev.csv");
    task->add_file(test_path);
    task->add_file(dev_path);
    const std::vector<ChoiceItem> dev = read_subject(name, dev_path).items;
    const int k = options.num_fewshot.value_or(5);
    if (k < 0 || static_cast<size_t>(k) > dev.size()) {
      throw UserError(name + ": num_fewshot " + std::to_string(k) + " outside 0.." + std::to_string(dev.size()) +
                      " (dev questions of " + subject + ")");
    }
    std::string block;
    for (int i = 0; i < k; ++i) block += task->render_shot(dev[i]);
    const std::string description =
        "The following are multiple choice questions (with answers) about " + replace_all(subject, "_", " ") + ".\n\n";
    SubjectRows test = read_subject(name, test_path);
    // lm-eval applies --limit to each subject of the group.
    const size_t n = options.limit ? std::min(*options.limit, test.items.size()) : test.items.size();
    for (size_t i = 0; i < n; ++i) {
      task->add(Doc{subject + "/" + std::to_string(i), std::move(test.records[i])}, std::move(test.items[i]),
                description, block);
    }
  }
  task->finish();
  return task;
}

}  // namespace dlmeval
