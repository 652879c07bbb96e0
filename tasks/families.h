#pragma once
// Factories of the task families; the registry (registry.cpp) maps names to them.
#include <memory>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace dlmeval {

// "gsm8k", "gsm8k_cot", "gsm8k_opencompass".
std::unique_ptr<Task> make_gsm8k_task(const std::string& name, const TaskOptions& options);
// "bbh" (all subtasks) or "bbh_<subtask>".
std::unique_ptr<Task> make_bbh_task(const std::string& name, const TaskOptions& options);
const std::vector<std::string>& bbh_subtasks();
// "humaneval", "humaneval_instruct", "mbpp", "mbpp_sanitized".
std::unique_ptr<Task> make_code_task(const std::string& name, const TaskOptions& options);
// "mmlu" (all subjects), "mmlu_<subject>", or "mmlu_gen" (all subjects, answered by generation).
std::unique_ptr<Task> make_mmlu_task(const std::string& name, const TaskOptions& options);
const std::vector<std::string>& mmlu_subjects();
// "hellaswag", "piqa", "winogrande", "truthfulqa_mc1", "truthfulqa_mc2".
std::unique_ptr<Task> make_choice_task(const std::string& name, const TaskOptions& options);
// "arc_challenge_gen", "arc_easy_gen", "hellaswag_gen": the same questions answered by generation.
std::unique_ptr<Task> make_letter_gen_task(const std::string& name, const TaskOptions& options);

}  // namespace dlmeval
