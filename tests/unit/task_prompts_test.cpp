// Pins the rendered request of the first doc of every task against checked-in expectations
// (tests/unit/expected_prompts/<task>.json). The expectations were generated once with
// DLMEVAL_WRITE_EXPECTED_PROMPTS=1 and checked by eye against lm-eval's published task formats.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "harness/core/json_io.h"
#include "harness/core/error.h"
#include "tasks/task.h"
#include "task_test_util.h"

namespace dlmeval {
namespace {

const std::string kData = std::string(DLMEVAL_SHARED_DIR) + "/data";
const std::filesystem::path kExpected = std::filesystem::path(DLMEVAL_SOURCE_DIR) / "tests/unit/expected_prompts";

Json render_first(const std::string& name) {
  TaskOptions options;
  options.data_dir = kData;
  options.limit = 1;
  auto task = make_task(name, options);
  const TaskRequest request = task->build_request(task->docs().at(0));
  return Json{{"task", name},
              {"version", task->version()},
              {"doc_id", request.doc_id},
              {"kind", request.kind == RequestKind::Generate ? "generate" : "choice"},
              {"contexts", request.contexts},
              {"continuations", request.continuations},
              {"stop_strings", request.stop_strings},
              {"target", request.target},
              {"metrics", task->metric_names()}};
}

TEST(TaskPrompts, FirstDocOfEveryTaskMatchesExpectation) {
  const bool write = std::getenv("DLMEVAL_WRITE_EXPECTED_PROMPTS") != nullptr;
  size_t checked = 0;
  size_t expected_count = 0;
  for (const auto& [name, description] : list_tasks()) {
    // The toy suite is generated into a data directory, not shipped; its own tests pin its prompts.
    if (name.rfind("toy_", 0) == 0) continue;
    ++expected_count;
    SCOPED_TRACE(name);
    const Json rendered = render_first(name);
    const std::filesystem::path file = kExpected / (name + ".json");
    if (write) {
      write_json_file_atomic(file.string(), rendered, 1);
      continue;
    }
    ASSERT_TRUE(std::filesystem::exists(file)) << "missing expectation " << file;
    const Json expected = read_json_file(file.string());
    EXPECT_EQ(rendered, expected) << "rendered:\n" << rendered.dump(1);
    ++checked;
  }
  if (!write) {
    EXPECT_EQ(checked, expected_count);
  }
}

TEST(TaskPrompts, EveryExpectationFileBelongsToATask) {
  std::set<std::string> names;
  for (const auto& entry : list_tasks()) names.insert(entry.first);
  for (const auto& file : std::filesystem::directory_iterator(kExpected)) {
    EXPECT_TRUE(names.count(file.path().stem().string())) << "stale expectation " << file.path();
  }
}

}  // namespace
}  // namespace dlmeval

namespace dlmeval {
namespace {

// lm-eval's names of the BBH tasks give dlmeval's tasks, prompt for prompt.
TEST(TaskAliases, LmEvalBbhNamesGiveTheSameTaskUnderDlmevalsName) {
  EXPECT_EQ(canonical_task_name("bbh_cot_fewshot_boolean_expressions"), "bbh_boolean_expressions");
  EXPECT_EQ(canonical_task_name("bbh_cot_fewshot"), "bbh");
  EXPECT_EQ(canonical_task_name("gsm8k"), "gsm8k");
  EXPECT_EQ(task_aliases().size(), 28u);  // the group and its 27 subtasks
  TaskOptions options;
  options.data_dir = test::shipped_data_dir();
  options.limit = 3;
  const auto alias = make_task("bbh_cot_fewshot_boolean_expressions", options);
  const auto own = make_task("bbh_boolean_expressions", options);
  EXPECT_EQ(alias->name(), "bbh_boolean_expressions");
  EXPECT_EQ(alias->prompt_fingerprint(), own->prompt_fingerprint());
  for (const auto& [from, to] : task_aliases()) EXPECT_EQ(canonical_task_name(from), to);
  EXPECT_THROW(make_task("bbh_cot_fewshot_no_such_subtask", options), UserError);
}

}  // namespace
}  // namespace dlmeval
