// The toy tasks read the generated files like real benchmarks and score like GSM8K, ARC and
// HumanEval: right answers score 1, wrong ones 0, and code runs in the real sandbox.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "harness/core/error.h"
#include "scorers/sandbox.h"
#include "task_test_util.h"
#include "tasks/predictions.h"
#include "tasks/toy_suite.h"
#include "tasks/toy_tasks.h"

using namespace dlmeval;

namespace {

class ToyTasks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir("toy-tasks");
    write_toy_suite(dir_->path().string(), kToySuiteDefaultSeed);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static TaskOptions options(std::optional<size_t> limit = std::nullopt) {
    TaskOptions o;
    o.data_dir = dir_->path().string();
    o.limit = limit;
    o.allow_unsandboxed_code = std::getenv("DLMEVAL_ALLOW_NO_SANDBOX") != nullptr;
    return o;
  }
  static test::ScratchDir* dir_;
};
test::ScratchDir* ToyTasks::dir_ = nullptr;

}  // namespace

TEST_F(ToyTasks, UnknownNameIsNotAToyTask) { EXPECT_EQ(make_toy_task("gsm8k", options()), nullptr); }

TEST_F(ToyTasks, ArithPromptAndScoring) {
  auto task = make_toy_task("toy_arith", options());
  ASSERT_NE(task, nullptr);
  const ToySuite suite = generate_toy_suite(kToySuiteDefaultSeed);
  ASSERT_EQ(task->docs().size(), suite.arith.test.size());
  const Doc& doc = task->docs()[0];
  const TaskRequest request = task->build_request(doc);
  EXPECT_EQ(request.contexts[0], "Question: " + suite.arith.test[0]["question"].get<std::string>() + "\nAnswer:");
  const std::string answer = suite.arith.test[0]["answer"].get<std::string>();
  const std::string gold = answer.substr(answer.rfind("#### ") + 5);
  EXPECT_EQ(request.target, gold);

  const ScoredSample right = task->score(doc, request, TaskOutput{{" " + answer + "\nQuestion: more"}, {}});
  EXPECT_EQ(right.metrics.at("exact_match_strict"), 1.0);
  EXPECT_EQ(right.metrics.at("exact_match_flexible"), 1.0);
  EXPECT_EQ(right.metrics.at("invalid_extraction"), 0.0);
  const ScoredSample flexible_only = task->score(doc, request, TaskOutput{{" so it is " + gold}, {}});
  EXPECT_EQ(flexible_only.metrics.at("exact_match_strict"), 0.0);
  EXPECT_EQ(flexible_only.metrics.at("exact_match_flexible"), 1.0);
  const ScoredSample wrong = task->score(doc, request, TaskOutput{{" #### 1234"}, {}});
  EXPECT_EQ(wrong.metrics.at("exact_match_strict"), 0.0);
}

TEST_F(ToyTasks, ArithFewShotComesFromTrain) {
  TaskOptions o = options(3);
  o.num_fewshot = 2;
  auto task = make_toy_task("toy_arith", o);
  ASSERT_EQ(task->docs().size(), 3u);
  const std::string context = task->build_request(task->docs()[0]).contexts[0];
  size_t questions = 0;
  for (size_t pos = context.find("Question: "); pos != std::string::npos; pos = context.find("Question: ", pos + 1)) {
    ++questions;
  }
  EXPECT_EQ(questions, 3u);
  EXPECT_NE(context.find("#### "), std::string::npos);
  EXPECT_EQ(task->data_files().size(), 2u);
}

TEST_F(ToyTasks, ChoiceRequestsAndAccuracy) {
  auto task = make_toy_task("toy_choice", options(10));
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->kind(), RequestKind::Choice);
  ASSERT_EQ(task->docs().size(), 10u);
  const Doc& doc = task->docs()[0];
  const TaskRequest request = task->build_request(doc);
  const Json& record = doc.fields;
  EXPECT_EQ(request.contexts, std::vector<std::string>{"Question: " + record["question"]["stem"].get<std::string>() +
                                                      "\nAnswer:"});
  ASSERT_EQ(request.continuations.size(), 4u);
  const size_t gold = toy_choice_gold(record);
  EXPECT_EQ(request.continuations[gold], " " + toy_choice_options(record)[gold]);
  std::vector<double> loglik(4, -5.0);
  loglik[gold] = -1.0;
  EXPECT_EQ(task->score(doc, request, TaskOutput{{}, loglik}).metrics.at("acc"), 1.0);
  loglik[(gold + 1) % 4] = 0.0;
  EXPECT_EQ(task->score(doc, request, TaskOutput{{}, loglik}).metrics.at("acc"), 0.0);
  EXPECT_EQ(task->metric_names(), (std::vector<std::string>{"acc", "acc_norm"}));
}

TEST_F(ToyTasks, CodeCanonicalSolutionsPassAndWrongOnesFail) {
  std::string reason;
  if (!sandbox_available("", &reason) && std::getenv("DLMEVAL_ALLOW_NO_SANDBOX") == nullptr) {
    FAIL() << "bubblewrap sandbox unavailable (set DLMEVAL_ALLOW_NO_SANDBOX=1 to use the fallback): " << reason;
  }
  auto task = make_toy_task("toy_code", options(4));
  ASSERT_NE(task, nullptr);
  std::vector<const Doc*> docs;
  std::vector<TaskRequest> requests;
  std::vector<TaskOutput> outputs;
  for (const Doc& doc : task->docs()) {
    docs.push_back(&doc);
    requests.push_back(task->build_request(doc));
    EXPECT_EQ(requests.back().contexts[0], doc.fields["prompt"].get<std::string>());
    // The completion is cut at the next top-level statement, as HumanEval's stops do.
    outputs.push_back(TaskOutput{{doc.fields["canonical_solution"].get<std::string>() + "\nprint('extra')",
                                  "    return 12345\n"},
                                 {}});
  }
  const auto scored = task->score_batch(docs, requests, outputs);
  for (const ScoredSample& s : scored) {
    EXPECT_DOUBLE_EQ(s.metrics.at("pass@1"), 0.5) << s.filtered.dump();
    EXPECT_EQ(s.filtered["status"][0], "passed");
    EXPECT_EQ(s.filtered["status"][1], "failed");
  }
}

TEST_F(ToyTasks, MissingSuiteNamesTheFile) {
  TaskOptions o;
  o.data_dir = (dir_->path() / "nowhere").string();
  try {
    make_toy_task("toy_choice", o);
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("toy/choice/test.jsonl"), std::string::npos) << e.what();
  }
}

TEST_F(ToyTasks, ListNamesEveryToyTask) {
  std::vector<std::string> names;
  for (const auto& [name, description] : toy_task_list()) {
    names.push_back(name);
    EXPECT_NE(make_toy_task(name, options(1)), nullptr) << name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"toy_arith", "toy_choice", "toy_code", "toy_count"}));
}

// Scores the predictions written by TrainingDemo.DISABLED_DemoConfiguration (tests/torch) with the
// real scorers; run explicitly with the same DLMEVAL_TOY_EVAL folder.
TEST(ToyTasksDemo, DISABLED_ScoreDemoPredictions) {
  const char* env = std::getenv("DLMEVAL_TOY_EVAL");
  ASSERT_NE(env, nullptr) << "set DLMEVAL_TOY_EVAL to the folder the torch measurement wrote";
  const std::filesystem::path root(env);
  TaskOptions options;
  options.data_dir = (root / "data").string();
  options.allow_unsandboxed_code = std::getenv("DLMEVAL_ALLOW_NO_SANDBOX") != nullptr;
  for (const char* name : {"toy_arith", "toy_choice", "toy_code"}) {
    const auto task = make_toy_task(name, options);
    const std::string path = (root / (std::string("predictions_") + name + ".jsonl")).string();
    const ScoreReport report = score_predictions(*task, read_predictions(path), path, 200, 1);
    for (const PredictionMetric& m : report.metrics) {
      std::printf("%s %s = %.3f ± %.3f (n=%zu)\n", name, m.name.c_str(), m.mean, m.stderr_bootstrap, m.count);
    }
  }
}

TEST_F(ToyTasks, CountAsksForTheWholeListAndGivesPartialCreditByPosition) {
  auto task = make_toy_task("toy_count", options());
  ASSERT_NE(task, nullptr);
  const ToySuite suite = generate_toy_suite(kToySuiteDefaultSeed);
  ASSERT_EQ(task->docs().size(), suite.count.test.size());
  const Doc& doc = task->docs()[0];
  const Json& record = suite.count.test[0];
  const TaskRequest request = task->build_request(doc);
  EXPECT_EQ(request.contexts[0], "Question: " + record["question"].get<std::string>() + "\nAnswer:");
  const int start = record["start"].get<int>(), end = record["end"].get<int>();
  std::string answer;
  for (int v = start; v <= end; ++v) answer += (v == start ? "" : ", ") + std::to_string(v);
  ASSERT_EQ(record["answer"].get<std::string>(), answer);
  const size_t n = static_cast<size_t>(end - start + 1);

  auto metrics = [&](const std::string& text) { return task->score(doc, request, TaskOutput{{text}, {}}).metrics; };
  const auto right = metrics(" " + answer + "\nQuestion: next");
  EXPECT_EQ(right.at("exact_match"), 1.0);
  EXPECT_EQ(right.at("item_accuracy"), 1.0);
  EXPECT_EQ(right.at("invalid_extraction"), 0.0);
  // One number wrong halfway (the sequence breaks): not exact, (n - 1) / n of the positions right.
  std::string broken;
  for (int v = start; v <= end; ++v) broken += (v == start ? "" : ", ") + std::to_string(v == start + 5 ? v + 7 : v);
  const auto one_off = metrics(" " + broken);
  EXPECT_EQ(one_off.at("exact_match"), 0.0);
  EXPECT_DOUBLE_EQ(one_off.at("item_accuracy"), static_cast<double>(n - 1) / static_cast<double>(n));
  // Stopping early: the missing positions count against it; running on: so do the extra ones.
  EXPECT_DOUBLE_EQ(metrics(" " + std::to_string(start)).at("item_accuracy"), 1.0 / static_cast<double>(n));
  EXPECT_DOUBLE_EQ(metrics(" " + answer + ", " + std::to_string(end + 1)).at("item_accuracy"),
                   static_cast<double>(n) / static_cast<double>(n + 1));
  for (const std::string bad : {"", "   ", " 17, 18, x", " 17,, 18"}) {
    const auto invalid = metrics(bad);
    EXPECT_EQ(invalid.at("invalid_extraction"), 1.0) << bad;
    EXPECT_EQ(invalid.at("item_accuracy"), 0.0) << bad;
  }
}

TEST(ToySuite, CountAnswersAreSeventeenToTwentyOneTwoDigitNumbersAndSplitsAreDisjoint) {
  const ToySuite suite = generate_toy_suite(kToySuiteDefaultSeed);
  EXPECT_EQ(suite.count.test.size(), 60u);
  EXPECT_EQ(suite.count.train.size(), 60u * 5 - 60);
  std::set<std::string> test_questions;
  for (const Json& r : suite.count.test) test_questions.insert(r["question"].get<std::string>());
  EXPECT_EQ(test_questions.size(), suite.count.test.size());
  for (const Json& r : suite.count.train) {
    EXPECT_EQ(test_questions.count(r["question"].get<std::string>()), 0u) << r["question"];
    const int length = r["end"].get<int>() - r["start"].get<int>() + 1;
    EXPECT_GE(length, 17);
    EXPECT_LE(length, 21);
    EXPECT_GE(r["start"].get<int>(), 10);
    EXPECT_LE(r["end"].get<int>(), 99);
  }
}
