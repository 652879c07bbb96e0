// The reference solutions of HumanEval and MBPP must pass in the sandbox: this pins down that the
// sandbox (read-only system, no network, limits, end marker) does not fail honest code.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "scorers/sandbox.h"

using namespace dlmeval;

namespace {

const std::string kData = std::string(DLMEVAL_SHARED_DIR) + "/data";

SandboxLimits canonical_limits() {
  SandboxLimits limits;
  limits.cpu_seconds = 10;
  limits.wall_seconds = 20;
  return limits;
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
  std::set<int> failed;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].passed) continue;
    failed.insert(ids[i]);
    if (!kMbppKnownFailures.count(ids[i]))
      ADD_FAILURE() << "MBPP " << ids[i] << ": " << results[i].status << "\n" << results[i].stderr_tail;
  }
  EXPECT_EQ(failed, kMbppKnownFailures);
}

}  // namespace
