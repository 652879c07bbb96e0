// Reading and scoring a predictions file: every malformed line is reported as file:line.
#include <gtest/gtest.h>

#include <fstream>

#include "harness/core/error.h"
#include "tasks/predictions.h"
#include "task_test_util.h"
#include "user_error_text.h"

namespace dlmeval {
namespace {

using test::ScratchDir;
using test::shipped_options;

std::string write_file(const ScratchDir& dir, const std::string& text) {
  const std::string path = (dir.path() / "predictions.jsonl").string();
  std::ofstream(path) << text;
  return path;
}

TEST(Predictions, ReadsTheThreeOutputShapes) {
  ScratchDir dir("pred");
  const std::string path = write_file(dir,
                                      "{\"doc_id\": 0, \"output\": \"a\"}\n"
                                      "\n"
                                      "{\"doc_id\": \"HumanEval/1\", \"outputs\": [\"x\", \"y\"]}\n"
                                      "{\"doc_id\": \"c\", \"loglik\": [-1, -2.5]}\n");
  const auto predictions = read_predictions(path);
  ASSERT_EQ(predictions.size(), 3u);
  EXPECT_EQ(predictions[0].doc_id, "0");
  EXPECT_EQ(predictions[0].output.texts, std::vector<std::string>{"a"});
  EXPECT_EQ(predictions[1].line, 3u);
  EXPECT_EQ(predictions[1].output.texts.size(), 2u);
  EXPECT_EQ(predictions[2].output.loglik, (std::vector<double>{-1, -2.5}));
}

TEST(Predictions, MalformedLinesNameFileAndLine) {
  ScratchDir dir("bad-pred");
  const std::string ok = "{\"doc_id\": 0, \"output\": \"a\"}\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"doc_id\": 1, \"output\": \"a\"", "malformed JSON"},
      {"{\"output\": \"a\"}", "missing \"doc_id\""},
      {"{\"doc_id\": [1], \"output\": \"a\"}", "\"doc_id\" must be"},
      {"{\"doc_id\": 1}", "exactly one of"},
      {"{\"doc_id\": 1, \"output\": \"a\", \"loglik\": [1]}", "exactly one of"},
      {"{\"doc_id\": 1, \"outputs\": []}", "non-empty"},
      {"{\"doc_id\": 1, \"loglik\": [\"x\"]}", "must hold numbers"},
      {"{\"doc_id\": 0, \"output\": \"b\"}", "appears twice"},
  };
  for (const auto& [line, message] : cases) {
    const std::string path = write_file(dir, ok + line + "\n");
    const std::string error = test::user_error_text([&] { read_predictions(path); });
    EXPECT_NE(error.find(path + ":2"), std::string::npos) << line << " -> " << error;
    EXPECT_NE(error.find(message), std::string::npos) << line << " -> " << error;
  }
}

TEST(Predictions, UnknownDocIdAndWrongKindAreReported) {
  ScratchDir dir("ids");
  auto task = make_task("gsm8k", shipped_options());
  std::string path = write_file(dir, "{\"doc_id\": 0, \"output\": \"#### 18\"}\n{\"doc_id\": 99999, \"output\": \"1\"}\n");
  std::string error = test::user_error_text([&] { score_predictions(*task, read_predictions(path), path, 10, 1); });
  EXPECT_NE(error.find(path + ":2: unknown doc_id 99999"), std::string::npos) << error;

  path = write_file(dir, "{\"doc_id\": 0, \"loglik\": [1, 2]}\n");
  error = test::user_error_text([&] { score_predictions(*task, read_predictions(path), path, 10, 1); });
  EXPECT_NE(error.find(path + ":1: task gsm8k is generative"), std::string::npos) << error;
}

TEST(Predictions, ReportHasMeansAndBootstrapErrors) {
  ScratchDir dir("report");
  auto task = make_task("gsm8k", shipped_options());
  // Docs 0-3 have gold answers 18, 3, 70000, 540; two right, two wrong.
  const std::string path = write_file(dir,
                                      "{\"doc_id\": 0, \"output\": \"#### 18\"}\n"
                                      "{\"doc_id\": 1, \"output\": \"#### 3\"}\n"
                                      "{\"doc_id\": 2, \"output\": \"#### 7\"}\n"
                                      "{\"doc_id\": 3, \"output\": \"no number\"}\n");
  const ScoreReport report = score_predictions(*task, read_predictions(path), path, 200, 5);
  ASSERT_EQ(report.per_doc.size(), 4u);
  ASSERT_EQ(report.metrics.size(), 3u);
  EXPECT_EQ(report.metrics[0].name, "exact_match_strict");
  EXPECT_EQ(report.metrics[0].mean, 0.5);
  EXPECT_GT(report.metrics[0].stderr_bootstrap, 0.0);
  EXPECT_EQ(report.metrics[2].name, "invalid_extraction");
  EXPECT_EQ(report.metrics[2].mean, 0.25);
  EXPECT_EQ(report.per_doc[3].sample.metrics.at("exact_match_strict"), 0.0);
}

}  // namespace
}  // namespace dlmeval
