// Code execution limits as the reference harnesses set them. human-eval's own example (its
// data/example_problem.jsonl and data/example_samples.jsonl, openai/human-eval 6d43fb9) scores
// pass@1 = 0.5 in its README ({'pass@1': 0.4999999999999999}): of the six completions, the one that
// sleeps 10 s fails through the 3 s limit. Under a 20 s limit it would pass (0.667).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "scorers/execution_policy.h"
#include "task_test_util.h"

namespace dlmeval {
namespace {

using test::ScratchDir;

std::string run_dlmeval(const std::string& arguments, int* exit_code) {
  const std::string command = std::string(DLMEVAL_BINARY) + " " + arguments + " 2>&1";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return output;
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

// A data directory whose HumanEval file is human-eval's example problem, and the six example
// completions as one predictions line.
struct HumanEvalExample {
  ScratchDir dir{"human-eval-example"};
  std::string data_dir, predictions;

  HumanEvalExample() {
    data_dir = (dir.path() / "data").string();
    std::filesystem::create_directories(dir.path() / "data/humaneval");
    std::ofstream(dir.path() / "data/humaneval/HumanEval.jsonl")
        << Json{{"task_id", "test/0"},
                {"prompt", "def return1():\n"},
                {"canonical_solution", "    return 1"},
                {"test", "def check(candidate):\n    assert candidate() == 1"},
                {"entry_point", "return1"}}
               .dump()
        << "\n";
    predictions = (dir.path() / "samples.jsonl").string();
    const Json completions = {"    import subprocess\n    subprocess.check_output('rm -rf tmp')",
                              "    import time\n    time.sleep(10)\n    return 1",
                              "    return input('enter a number')",
                              "    return 1",
                              "  return 1",
                              "\treturn 1"};
    std::ofstream(predictions) << Json{{"doc_id", "test/0"}, {"outputs", completions}}.dump() << "\n";
  }

  std::string score(const std::string& extra, int* exit_code) const {
    return run_dlmeval("score --task humaneval --predictions " + predictions + " --data-dir " + data_dir +
                           " --output " + (dir.path() / "scored.jsonl").string() + " " + extra,
                       exit_code);
  }
  Json scored() const { return read_jsonl_file((dir.path() / "scored.jsonl").string()).at(0); }
};

TEST(CodeExecutionReference, HumanEvalsOwnExampleScoresItsReadmesPassAtOne) {
  HumanEvalExample example;
  int exit_code = -1;
  const std::string out = example.score("", &exit_code);
  ASSERT_EQ(exit_code, 0) << out;
  const Json scored = example.scored();
  EXPECT_DOUBLE_EQ(scored["metrics"]["pass@1"].get<double>(), 0.5) << out;
  const Json expected_status = {"failed", "timeout", "failed", "passed", "passed", "passed"};
  EXPECT_EQ(scored["filtered"]["status"], expected_status);
  EXPECT_EQ(scored["filtered"]["timeout_s"].get<double>(), 3.0);
  EXPECT_NE(out.find("programs: 2 failed, 3 passed, 1 timeout"), std::string::npos) << out;
  EXPECT_NE(out.find("\"rule\":\"fixed\""), std::string::npos) << out;
}

TEST(CodeExecutionReference, ALongerLimitLetsTheSleeperPassAsTheOldTwentySecondsDid) {
  HumanEvalExample example;
  int exit_code = -1;
  const std::string out = example.score("--code-timeout 12", &exit_code);
  ASSERT_EQ(exit_code, 0) << out;
  EXPECT_NEAR(example.scored()["metrics"]["pass@1"].get<double>(), 4.0 / 6.0, 1e-12) << out;
}

TEST(CodeExecutionReference, EvalplusRuleTimesTheReferenceAndKeepsItsFourSecondFloor) {
  HumanEvalExample example;
  int exit_code = -1;
  const std::string out = example.score("--code-timeout-rule evalplus", &exit_code);
  ASSERT_EQ(exit_code, 0) << out;
  const Json scored = example.scored();
  // The reference solution runs in well under a second, so the floor decides: 4 s, and the 10 s
  // sleeper still times out.
  EXPECT_EQ(scored["filtered"]["timeout_s"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(scored["metrics"]["pass@1"].get<double>(), 0.5);
}

TEST(ExecutionPolicy, RulesDefaultsAndBadSettings) {
  const ExecutionPolicy fixed = ExecutionPolicy::from_settings("fixed", std::nullopt);
  EXPECT_EQ(fixed.timeout_s, 3.0);
  EXPECT_EQ(fixed.limits(3.0).wall_seconds, 3.0);
  EXPECT_EQ(fixed.limits(2.5).cpu_seconds, 3.0);
  const ExecutionPolicy plus = ExecutionPolicy::from_settings("evalplus", std::nullopt);
  EXPECT_EQ(plus.timeout_for_reference(0.2), 4.0);
  EXPECT_EQ(plus.timeout_for_reference(2.0), 8.0);
  EXPECT_EQ(ExecutionPolicy::from_settings("evalplus", 10.0).timeout_for_reference(1.0), 10.0);
  EXPECT_THROW(ExecutionPolicy::from_settings("forever", std::nullopt), UserError);
  EXPECT_THROW(ExecutionPolicy::from_settings("fixed", -1.0), UserError);
  EXPECT_EQ(fixed.to_json()["rule"], "fixed");
}

}  // namespace
}  // namespace dlmeval
