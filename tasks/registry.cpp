// The task registry: every name make_task accepts, with its description, and dispatch to the
// family factories.
#include "harness/core/error.h"
#include "tasks/families.h"
#include "tasks/task.h"
#include "tasks/task_definition.h"
#include "tasks/template_task.h"
#include "tasks/text_util.h"
#include "tasks/toy_tasks.h"

namespace dlmeval {

namespace {

std::string summary_of(const TaskDefinition& definition) {
  const Json& summary = definition.config.contains("summary") ? definition.config["summary"] : Json();
  return summary.is_string() ? summary.get<std::string>() : "defined in " + definition.origin;
}

const TaskDefinition* find_definition(const std::vector<TaskDefinition>& definitions, const std::string& name) {
  for (const TaskDefinition& d : definitions)
    if (d.name == name) return &d;
  return nullptr;
}

// Tasks from the user's files must not shadow a shipped task: a run that names arc_easy always
// means the same prompts.
void check_no_shadowing(const std::vector<TaskDefinition>& user, const std::vector<std::pair<std::string, std::string>>& shipped) {
  for (const TaskDefinition& d : user)
    for (const auto& [name, description] : shipped)
      if (name == d.name || canonical_task_name(d.name) == name)
        throw UserError(d.origin + ": defines task \"" + d.name + "\", which dlmeval ships; give it another name");
}

std::vector<std::pair<std::string, std::string>> shipped_tasks() {
  std::vector<std::pair<std::string, std::string>> tasks = {
      {"gsm8k", "GSM8K test (1319), lm-eval format, 5 shots drawn from train; exact match strict (####) and flexible"},
      {"gsm8k_cot", "GSM8K test, lm-eval gsm8k_cot: 8 fixed chain-of-thought exemplars (Wei et al.), Q:/A:"},
      {"gsm8k_opencompass", "GSM8K test, OpenCompass gsm8k_gen 4-shot chain of thought"},
      {"bbh", "BIG-Bench Hard, all 27 subtasks, 3-shot chain of thought; micro-averaged exact match"},
  };
  for (const std::string& subtask : bbh_subtasks()) {
    tasks.push_back({"bbh_" + subtask, "BIG-Bench Hard " + subtask + ", 3-shot chain of thought"});
  }
  tasks.insert(tasks.end(), {
      {"humaneval", "HumanEval (164), raw prompt, 0-shot; pass@1 (pass@k with --samples)"},
      {"humaneval_instruct", "HumanEval with an instruction and a ```python answer fence"},
      {"mbpp", "MBPP test problems 11-510 (500), 3-shot [BEGIN]/[DONE] format; pass@1"},
      {"mbpp_sanitized", "MBPP hand-verified subset, test problems (257), 3-shot [BEGIN]/[DONE] format; pass@1"},
      {"mmlu", "MMLU, all 57 subjects, 5-shot from dev; acc, acc_norm (micro average)"},
  });
  for (const std::string& subject : mmlu_subjects()) {
    tasks.push_back({"mmlu_" + subject, "MMLU " + replace_all(subject, "_", " ") + ", 5-shot from dev"});
  }
  tasks.insert(tasks.end(), {
      {"hellaswag", "HellaSwag validation (10042), 0-shot; acc, acc_norm"},
      {"piqa", "PIQA validation (1838), 0-shot; acc, acc_norm"},
      {"winogrande", "WinoGrande dev (1267), partial scoring, 0-shot; acc"},
      {"truthfulqa_mc1", "TruthfulQA MC1 (817), 6-shot QA preamble; acc"},
      {"truthfulqa_mc2", "TruthfulQA MC2 (817), 6-shot QA preamble; mc2"},
      {"arc_challenge_gen", "ARC-Challenge test, 4-option questions answered by generation (OpenCompass ARC_c_gen_1e0de5); acc"},
      {"arc_easy_gen", "ARC-Easy test, 4-option questions answered by generation (OpenCompass ARC_c_gen_1e0de5 format); acc"},
      {"hellaswag_gen", "HellaSwag validation answered by generation (OpenCompass hellaswag_gen_6faab5); acc"},
      {"mmlu_gen", "MMLU, all 57 subjects, answered by generation after 5 dev rounds (OpenCompass mmlu_gen_a484b3); acc"},
  });
  for (const TaskDefinition& definition : builtin_task_definitions()) tasks.push_back({definition.name, summary_of(definition)});
  const auto toys = toy_task_list();
  tasks.insert(tasks.end(), toys.begin(), toys.end());
  return tasks;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> list_tasks(const std::vector<std::string>& task_files) {
  auto tasks = shipped_tasks();
  const std::vector<TaskDefinition> user = load_task_definitions(task_files);
  check_no_shadowing(user, tasks);
  for (const TaskDefinition& definition : user) tasks.push_back({definition.name, summary_of(definition)});
  return tasks;
}

std::string canonical_task_name(const std::string& name) {
  // lm-eval names BBH's chain-of-thought few-shot tasks bbh_cot_fewshot(_<subtask>); every other
  // task dlmeval shares with lm-eval has lm-eval's name already.
  const std::string lm_eval_bbh = "bbh_cot_fewshot";
  if (name == lm_eval_bbh) return "bbh";
  if (starts_with(name, lm_eval_bbh + "_")) return "bbh_" + name.substr(lm_eval_bbh.size() + 1);
  return name;
}

std::vector<std::pair<std::string, std::string>> task_aliases() {
  std::vector<std::pair<std::string, std::string>> aliases = {{"bbh_cot_fewshot", "bbh"}};
  for (const std::string& subtask : bbh_subtasks()) aliases.push_back({"bbh_cot_fewshot_" + subtask, "bbh_" + subtask});
  return aliases;
}

std::unique_ptr<Task> make_task(const std::string& requested, const TaskOptions& options) {
  using Factory = std::unique_ptr<Task> (*)(const std::string&, const TaskOptions&);
  const std::string name = canonical_task_name(requested);
  if (!options.task_files.empty()) {
    const std::vector<TaskDefinition> user = load_task_definitions(options.task_files);
    if (const TaskDefinition* definition = find_definition(user, requested)) {
      check_no_shadowing({*definition}, shipped_tasks());
      return make_template_task(*definition, options);
    }
  }
  if (const TaskDefinition* definition = find_definition(builtin_task_definitions(), name))
    return make_template_task(*definition, options);
  for (Factory factory :
       {make_gsm8k_task, make_bbh_task, make_code_task, make_mmlu_task, make_choice_task, make_letter_gen_task,
        make_toy_task}) {
    if (auto task = factory(name, options)) return task;
  }
  throw UserError("unknown task \"" + name + "\" (dlmeval tasks lists them)");
}

}  // namespace dlmeval
