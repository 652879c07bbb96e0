// Few-shot selection: CPython-exact draws (so prompts match lm-eval's), determinism under a seed,
// and --limit keeping the prompts of the docs it keeps.
#include <gtest/gtest.h>

#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "tasks/python_random.h"
#include "tasks/task.h"
#include "task_test_util.h"

namespace dlmeval {
namespace {

using test::shipped_options;

// Expected values printed by CPython 3: random.Random(seed).sample(range(n), k).
TEST(PythonRandom, SampleMatchesCPython) {
  PythonRandom lm_eval_default(1234);
  EXPECT_EQ(lm_eval_default.sample_indices(7473, 5), (std::vector<size_t>{6374, 3610, 957, 61, 742}));
  EXPECT_EQ(lm_eval_default.sample_indices(7473, 5), (std::vector<size_t>{7462, 6610, 4769, 286, 5501}));

  PythonRandom small(42);
  EXPECT_EQ(small.sample_indices(10, 3), (std::vector<size_t>{1, 0, 4}));          // pool path
  EXPECT_EQ(small.sample_indices(30, 7), (std::vector<size_t>{7, 29, 4, 23, 3, 21, 26}));
  EXPECT_EQ(small.getrandbits(32), 3831882064U);

  PythonRandom wide((uint64_t{1} << 40) + 5);  // a seed of two 32-bit words
  EXPECT_EQ(wide.sample_indices(1000, 4), (std::vector<size_t>{516, 529, 275, 679}));
  PythonRandom zero(0);
  EXPECT_EQ(zero.sample_indices(100, 2), (std::vector<size_t>{49, 97}));
}

std::string first_prompt(const std::string& name, TaskOptions options) {
  auto task = make_task(name, options);
  return task->build_request(task->docs().at(0)).contexts.at(0);
}

TEST(TaskFewshot, Gsm8kDrawsTheTrainRecordsLmEvalDraws) {
  const std::vector<Json> train = read_jsonl_file(test::shipped_data_dir() + "/gsm8k/train.jsonl");
  const std::string prompt = first_prompt("gsm8k", shipped_options(1));
  // Doc 0 takes train records 6374, 3610, 957, 61, 742 (see SampleMatchesCPython), in that order.
  size_t position = 0;
  for (size_t index : {6374, 3610, 957, 61, 742}) {
    const std::string shot = "Question: " + train[index]["question"].get<std::string>() + "\nAnswer: " +
                             train[index]["answer"].get<std::string>() + "\n\n";
    const size_t found = prompt.find(shot);
    ASSERT_NE(found, std::string::npos) << "train record " << index;
    EXPECT_EQ(found, position);
    position += shot.size();
  }
}

TEST(TaskFewshot, SameSeedSamePromptsOtherSeedOtherPrompts) {
  TaskOptions options = shipped_options(3);
  auto a = make_task("gsm8k", options);
  auto b = make_task("gsm8k", options);
  EXPECT_EQ(a->prompt_fingerprint(), b->prompt_fingerprint());
  options.fewshot_seed = 7;
  auto c = make_task("gsm8k", options);
  EXPECT_NE(a->prompt_fingerprint(), c->prompt_fingerprint());
  EXPECT_NE(a->build_request(a->docs()[0]).contexts[0], c->build_request(c->docs()[0]).contexts[0]);
}

TEST(TaskFewshot, NumFewshotChangesTheShotCount) {
  TaskOptions options = shipped_options(1);
  options.num_fewshot = 0;
  const std::string zero = first_prompt("gsm8k", options);
  EXPECT_EQ(zero.rfind("Question: ", 0), 0u);
  EXPECT_EQ(zero.find("Question: ", 1), std::string::npos);
  options.num_fewshot = 2;
  const std::string two = first_prompt("gsm8k_cot", options);
  EXPECT_EQ(two.find("Q: Leah"), std::string::npos);
  EXPECT_NE(two.find("Q: If there are 3 cars"), std::string::npos);
  options.num_fewshot = 9;
  EXPECT_THROW(make_task("gsm8k_cot", options), UserError);
}

TEST(TaskFewshot, DrawsFromTheEvaluationSetNeverShowTheDocItself) {
  TaskOptions options = shipped_options(20);
  options.num_fewshot = 5;
  auto task = make_task("arc_easy", options);
  for (const Doc& doc : task->docs()) {
    const TaskRequest request = task->build_request(doc);
    const std::string stem = "Question: " + doc.fields["question"]["stem"].get<std::string>() + "\nAnswer:";
    // The doc's own question appears exactly once: at the end, not among its shots.
    EXPECT_EQ(request.contexts[0].find(stem), request.contexts[0].size() - stem.size()) << doc.id;
    size_t shots = 0;
    for (size_t pos = 0; (pos = request.contexts[0].find("\n\nQuestion: ", pos)) != std::string::npos; ++pos) ++shots;
    EXPECT_EQ(shots, 5u) << doc.id;
  }
}

TEST(TaskLimit, LimitKeepsTheFirstDocsAndTheirPrompts) {
  auto full = make_task("gsm8k", shipped_options());
  auto limited = make_task("gsm8k", shipped_options(3));
  ASSERT_EQ(full->docs().size(), 1319u);
  ASSERT_EQ(limited->docs().size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(limited->docs()[i].id, full->docs()[i].id);
    EXPECT_EQ(limited->build_request(limited->docs()[i]).contexts, full->build_request(full->docs()[i]).contexts);
  }
}

TEST(TaskLimit, GroupsApplyTheLimitPerSubtask) {
  EXPECT_EQ(make_task("bbh", shipped_options(2))->docs().size(), 27u * 2);
  EXPECT_EQ(make_task("mmlu", shipped_options(1))->docs().size(), 57u);
  EXPECT_EQ(make_task("bbh", shipped_options())->docs().size(), 6511u);
}

TEST(TaskDocs, CountsAndIdsFollowTheDatasets) {
  auto mbpp = make_task("mbpp", shipped_options());
  ASSERT_EQ(mbpp->docs().size(), 500u);
  EXPECT_EQ(mbpp->docs().front().id, "11");
  EXPECT_EQ(mbpp->docs().back().id, "510");
  EXPECT_EQ(make_task("mbpp_sanitized", shipped_options())->docs().size(), 257u);
  auto humaneval = make_task("humaneval", shipped_options());
  ASSERT_EQ(humaneval->docs().size(), 164u);
  EXPECT_EQ(humaneval->docs().front().id, "HumanEval/0");
  EXPECT_EQ(make_task("arc_challenge", shipped_options())->docs().size(), 1172u);
  EXPECT_EQ(make_task("hellaswag", shipped_options())->docs().size(), 10042u);
  EXPECT_EQ(make_task("truthfulqa_mc2", shipped_options())->docs().size(), 817u);
  EXPECT_EQ(make_task("winogrande", shipped_options())->docs().size(), 1267u);
  EXPECT_EQ(make_task("piqa", shipped_options())->docs().size(), 1838u);
}

TEST(TaskFingerprint, ChangesWithThePromptsOnly) {
  TaskOptions options = shipped_options(4);
  const std::string base = make_task("mmlu_anatomy", options)->prompt_fingerprint();
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(make_task("mmlu_anatomy", options)->prompt_fingerprint(), base);
  options.num_fewshot = 1;
  EXPECT_NE(make_task("mmlu_anatomy", options)->prompt_fingerprint(), base);
}

}  // namespace
}  // namespace dlmeval
