// Scoring through the Task interface: gold answers score 1, wrong answers 0, and each family
// reports the metrics it names.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/core/error.h"
#include "scorers/sandbox.h"
#include "tasks/predictions.h"
#include "tasks/task.h"
#include "task_test_util.h"

namespace dlmeval {
namespace {

using test::shipped_options;

ScoredSample score_text(const Task& task, const Doc& doc, const std::vector<std::string>& texts) {
  TaskOutput output;
  output.texts = texts;
  return task.score(doc, task.build_request(doc), output);
}

ScoredSample score_loglik(const Task& task, const Doc& doc, const std::vector<double>& loglik) {
  TaskOutput output;
  output.loglik = loglik;
  return task.score(doc, task.build_request(doc), output);
}

TEST(TaskScoring, Gsm8kGoldAnswerScoresOneAndWrongScoresZero) {
  auto task = make_task("gsm8k", shipped_options(5));
  for (const Doc& doc : task->docs()) {
    const auto gold = score_text(*task, doc, {" " + doc.fields["answer"].get<std::string>()});
    EXPECT_EQ(gold.metrics.at("exact_match_strict"), 1.0) << doc.id;
    EXPECT_EQ(gold.metrics.at("exact_match_flexible"), 1.0) << doc.id;
    EXPECT_EQ(gold.metrics.at("invalid_extraction"), 0.0) << doc.id;
  }
  const Doc& first = task->docs()[0];  // gold 18
  const auto wrong = score_text(*task, first, {" She makes $17.\n#### 17"});
  EXPECT_EQ(wrong.metrics.at("exact_match_strict"), 0.0);
  EXPECT_EQ(wrong.metrics.at("exact_match_flexible"), 0.0);
  const auto unmarked = score_text(*task, first, {" So she makes $18 a day."});
  EXPECT_EQ(unmarked.metrics.at("exact_match_strict"), 0.0);
  EXPECT_EQ(unmarked.metrics.at("exact_match_flexible"), 1.0);
  EXPECT_EQ(unmarked.metrics.at("invalid_extraction"), 1.0);
  // Text after a stop string is not the model's answer.
  const auto past_stop = score_text(*task, first, {" #### 18\n\nQuestion: x\nAnswer: #### 5"});
  EXPECT_EQ(past_stop.metrics.at("exact_match_flexible"), 1.0);
}

TEST(TaskScoring, Gsm8kCotUsesTheAnswerIsMarker) {
  auto task = make_task("gsm8k_cot", shipped_options(1));
  const Doc& doc = task->docs()[0];
  const auto right = score_text(*task, doc, {" 16 - 3 - 4 = 9 eggs, 9 * 2 = 18. The answer is 18.", " #### 18"});
  EXPECT_EQ(right.metrics.at("exact_match_strict"), 0.5);  // mean over the two samples
  EXPECT_EQ(right.metrics.at("exact_match_flexible"), 1.0);
}

TEST(TaskScoring, BbhExtractsTheAnswerAfterTheCotPhrase) {
  auto task = make_task("bbh_date_understanding", shipped_options(1));
  const Doc& doc = task->docs()[0];
  const std::string target = doc.fields["target"].get<std::string>();
  ASSERT_EQ(target, "(B)");
  EXPECT_EQ(score_text(*task, doc, {"Tomorrow is 12/25/1937. So the answer is (B)."}).metrics.at("exact_match"), 1.0);
  EXPECT_EQ(score_text(*task, doc, {"So the answer is (A)."}).metrics.at("exact_match"), 0.0);
}

TEST(TaskScoring, BbhGroupIsTheMeanOverAllDocs) {
  auto task = make_task("bbh", shipped_options(1));
  double sum = 0;
  for (const Doc& doc : task->docs()) {
    const bool first_two = doc.id.rfind("boolean_expressions/", 0) == 0 || doc.id.rfind("causal_judgement/", 0) == 0;
    const std::string answer = first_two ? doc.fields["target"].get<std::string>() : "nothing";
    sum += score_text(*task, doc, {"So the answer is " + answer + "."}).metrics.at("exact_match");
  }
  EXPECT_EQ(sum, 2.0);
}

TEST(TaskScoring, ChoiceAccAndLengthNormalisedAcc) {
  auto task = make_task("arc_challenge", shipped_options(1));
  const Doc& doc = task->docs()[0];  // answer C
  const TaskRequest request = task->build_request(doc);
  ASSERT_EQ(request.continuations.size(), 4u);
  EXPECT_EQ(request.target, 2);
  const auto picked = score_loglik(*task, doc, {-9, -9, -1, -9});
  EXPECT_EQ(picked.metrics.at("acc"), 1.0);
  EXPECT_EQ(picked.metrics.at("acc_norm"), 1.0);
  // Choice A ("Planetary density will decrease.", 32 bytes) beats C (35 bytes) on raw log-likelihood
  // but not per byte.
  const auto norm = score_loglik(*task, doc, {-32.5, -100, -33, -100});
  EXPECT_EQ(norm.metrics.at("acc"), 0.0);
  EXPECT_EQ(norm.metrics.at("acc_norm"), 1.0);
  EXPECT_THROW(score_loglik(*task, doc, {-1, -2}), UserError);
}

TEST(TaskScoring, WinograndeScoresOneContextPerOption) {
  auto task = make_task("winogrande", shipped_options(1));
  const Doc& doc = task->docs()[0];
  const TaskRequest request = task->build_request(doc);
  ASSERT_EQ(request.contexts.size(), 2u);
  ASSERT_EQ(request.continuations.size(), 1u);
  EXPECT_EQ(request.contexts[0], "Sarah was a much better surgeon than Maria so Sarah");
  EXPECT_EQ(request.contexts[1], "Sarah was a much better surgeon than Maria so Maria");
  EXPECT_EQ(request.continuations[0], " always got the easier cases.");
  EXPECT_EQ(score_loglik(*task, doc, {-5, -3}).metrics.at("acc"), 1.0);  // gold: option 2
  EXPECT_EQ(score_loglik(*task, doc, {-3, -5}).metrics.at("acc"), 0.0);
}

TEST(TaskScoring, TruthfulQaMc2IsTheTrueProbabilityMass) {
  auto task = make_task("truthfulqa_mc2", shipped_options(1));
  const Doc& doc = task->docs()[0];  // 1 true answer, 3 false
  const TaskRequest request = task->build_request(doc);
  ASSERT_EQ(request.continuations.size(), 4u);
  const double p_true = std::exp(-1.0);
  const double p_false = 3 * std::exp(-2.0);
  EXPECT_NEAR(score_loglik(*task, doc, {-1, -2, -2, -2}).metrics.at("mc2"), p_true / (p_true + p_false), 1e-12);
}

TEST(TaskScoring, TruthfulQaMc2CountsTrueAnswersAfterAFalseOneAsFalseLikeLmEval) {
  auto task = make_task("truthfulqa_mc2", shipped_options(26));
  const Doc& doc = task->docs()[25];  // labels 1,1,1,0,1,0,0,0,0 in the file
  std::vector<double> loglik(9, -50.0);
  loglik[4] = 0.0;  // all mass on the late "true" answer, which lm-eval scores as false
  EXPECT_LT(score_loglik(*task, doc, loglik).metrics.at("mc2"), 1e-6);
}

class CodeScoring : public ::testing::Test {
 protected:
  TaskOptions options(std::optional<size_t> limit, int samples = 1) {
    TaskOptions o = shipped_options(limit);
    o.samples = samples;
    o.code_workers = 2;
    // Scoring is the subject here, not isolation; the sandbox has its own tests.
    o.allow_unsandboxed_code = !sandbox_available();
    return o;
  }
};

TEST_F(CodeScoring, HumanEvalCanonicalSolutionsPassAndBrokenOnesFail) {
  auto task = make_task("humaneval", options(3));
  std::vector<const Doc*> docs;
  std::vector<TaskRequest> requests;
  std::vector<TaskOutput> outputs;
  for (const Doc& doc : task->docs()) {
    docs.push_back(&doc);
    requests.push_back(task->build_request(doc));
    // Trailing text after a stop string is dropped before running.
    outputs.push_back(TaskOutput{{doc.fields["canonical_solution"].get<std::string>() + "\nprint('extra')"}, {}});
  }
  outputs[2].texts[0] = "    return None\n";
  const auto scored = task->score_batch(docs, requests, outputs);
  EXPECT_EQ(scored[0].metrics.at("pass@1"), 1.0);
  EXPECT_EQ(scored[1].metrics.at("pass@1"), 1.0);
  EXPECT_EQ(scored[2].metrics.at("pass@1"), 0.0);
}

TEST_F(CodeScoring, PassAtKFromSeveralSamples) {
  auto task = make_task("humaneval", options(1, 10));
  EXPECT_EQ(task->metric_names(), (std::vector<std::string>{"pass@1", "pass@10"}));
  const Doc& doc = task->docs()[0];
  EXPECT_EQ(task->build_request(doc).samples, 10);
  std::vector<std::string> texts(10, "    return 42\n");
  texts[0] = doc.fields["canonical_solution"].get<std::string>();
  const auto scored = score_text(*task, doc, texts);
  EXPECT_NEAR(scored.metrics.at("pass@1"), 0.1, 1e-12);
  EXPECT_EQ(scored.metrics.at("pass@10"), 1.0);
}

TEST_F(CodeScoring, MbppReferenceCodePassesIncludingSetupCode) {
  auto task = make_task("mbpp", options(std::nullopt));
  std::vector<const Doc*> docs;
  std::vector<TaskRequest> requests;
  std::vector<TaskOutput> outputs;
  for (const Doc& doc : task->docs()) {
    // 11 and 12 are plain; 367 needs its test_setup_code after the solution.
    if (doc.id != "11" && doc.id != "12" && doc.id != "367") continue;
    docs.push_back(&doc);
    requests.push_back(task->build_request(doc));
    outputs.push_back(TaskOutput{{doc.fields["code"].get<std::string>() + "\n[DONE]\ngarbage"}, {}});
  }
  ASSERT_EQ(docs.size(), 3u);
  for (const auto& scored : task->score_batch(docs, requests, outputs)) EXPECT_EQ(scored.metrics.at("pass@1"), 1.0);
}

}  // namespace
}  // namespace dlmeval
