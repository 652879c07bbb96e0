// `dlmeval score` and `dlmeval tasks` end to end through the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>

#include "harness/core/json_io.h"
#include "tasks/task.h"
#include "task_test_util.h"

namespace dlmeval {
namespace {

using test::ScratchDir;

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandRun run_dlmeval(const std::string& arguments) {
  const std::string command = std::string(DLMEVAL_BINARY) + " " + arguments + " 2>&1";
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string score_args(const std::string& task, const std::string& predictions, const std::string& output = "") {
  std::string args = "score --task " + task + " --predictions " + predictions + " --data-dir " + test::shipped_data_dir();
  if (!output.empty()) args += " --output " + output;
  return args;
}

// Predictions for the first `n` GSM8K test docs: the reference solution for even ids, a wrong
// final answer for odd ones.
std::string gsm8k_predictions(const ScratchDir& dir, size_t n) {
  const std::vector<Json> test = read_jsonl_file(test::shipped_data_dir() + "/gsm8k/test.jsonl");
  const std::string path = (dir.path() / "predictions.jsonl").string();
  std::ofstream out(path);
  for (size_t i = 0; i < n; ++i) {
    const bool gold = i % 2 == 0;
    std::string answer = " ";
    answer += gold ? test[i]["answer"].get<std::string>() : "I think so.\n#### 123456789";
    out << Json{{"doc_id", i}, {"output", answer}}.dump() << "\n";
  }
  return path;
}

TEST(ScoreCommand, Gsm8kGoldAnswersScoreOneAndWrongAnswersZero) {
  ScratchDir dir("score-gsm8k");
  const std::string output = (dir.path() / "scored.jsonl").string();
  const CommandRun run = run_dlmeval(score_args("gsm8k", gsm8k_predictions(dir, 8), output));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("exact_match_strict"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("0.5000"), std::string::npos) << run.output;
  const std::vector<Json> lines = read_jsonl_file(output);
  ASSERT_EQ(lines.size(), 8u);
  for (size_t i = 0; i < lines.size(); ++i) {
    const double expected = i % 2 == 0 ? 1.0 : 0.0;
    EXPECT_EQ(lines[i]["doc_id"], std::to_string(i));
    EXPECT_EQ(lines[i]["metrics"]["exact_match_strict"], expected) << i;
    EXPECT_EQ(lines[i]["metrics"]["exact_match_flexible"], expected) << i;
  }
}

TEST(ScoreCommand, ChoiceTaskScoresLogLikelihoods) {
  ScratchDir dir("score-choice");
  const std::string predictions = (dir.path() / "p.jsonl").string();
  // ARC-Challenge's first two questions have answers C and B.
  std::ofstream(predictions) << "{\"doc_id\": \"Mercury_7175875\", \"loglik\": [-5, -5, -1, -5]}\n"
                                "{\"doc_id\": \"Mercury_SC_409171\", \"loglik\": [-1, -5, -5, -5]}\n";
  const std::string output = (dir.path() / "scored.jsonl").string();
  const CommandRun run = run_dlmeval(score_args("arc_challenge", predictions, output));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::vector<Json> lines = read_jsonl_file(output);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["metrics"]["acc"], 1.0);
  EXPECT_EQ(lines[1]["metrics"]["acc"], 0.0);
  EXPECT_NE(run.output.find("0.5000"), std::string::npos) << run.output;
}

TEST(ScoreCommand, UnknownDocIdGivesOneLineNamingFileAndLine) {
  ScratchDir dir("score-bad");
  const std::string predictions = (dir.path() / "p.jsonl").string();
  std::ofstream(predictions) << "{\"doc_id\": 0, \"output\": \"#### 18\"}\n{\"doc_id\": 5000, \"output\": \"1\"}\n";
  const CommandRun run = run_dlmeval(score_args("gsm8k", predictions));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find(predictions + ":2: unknown doc_id 5000"), std::string::npos) << run.output;
  EXPECT_EQ(std::count(run.output.begin(), run.output.end(), '\n'), 1) << run.output;
}

TEST(TasksCommand, ListsEveryTask) {
  const CommandRun run = run_dlmeval("tasks");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const auto& [name, description] : list_tasks()) {
    EXPECT_NE(run.output.find(name + " "), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace dlmeval
