#pragma once
// The task a task file describes (tasks/task_definition.h): lm-eval's ConfigurableTask for the
// output types `generate_until` and `multiple_choice`, with its prompt assembly (description,
// few-shot examples joined by fewshot_delimiter, target_delimiter), its few-shot samplers, its
// Jinja environment (StrictUndefined, keep_trailing_newline, the regex_replace filter), its
// filter pipelines and its exact_match, acc and acc_norm.
#include <memory>

#include "tasks/task.h"
#include "tasks/task_definition.h"

namespace dlmeval {

std::unique_ptr<Task> make_template_task(const TaskDefinition& definition, const TaskOptions& options);

}  // namespace dlmeval
