#pragma once
// The toy tasks over the generated toy suite (tasks/toy_suite.h), read from <data_dir>/toy/...
// like any real benchmark:
//  * toy_arith:  GSM8K-style generation, "Question: ...\nAnswer:", 0-shot by default (shots from
//                the train split); exact match strict (####) and flexible (last number).
//  * toy_choice: ARC-style multiple choice, continuations " {option}"; acc, acc_norm.
//  * toy_code:   HumanEval-style completion run in the code sandbox; pass@1 (pass@k with --samples).
//  * toy_count:  long answers ("Count from A to B." -> "A, ..., B", 64 tokens or more); exact_match,
//                item_accuracy (share of list positions right), invalid_extraction.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tasks/task.h"

namespace dlmeval {

// The toy task called `name`, or nullptr when `name` is not a toy task.
std::unique_ptr<Task> make_toy_task(const std::string& name, const TaskOptions& options);
// Names and one-line descriptions, for the task list.
std::vector<std::pair<std::string, std::string>> toy_task_list();

}  // namespace dlmeval
