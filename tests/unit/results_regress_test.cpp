#include <gtest/gtest.h>

#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "results/regress.h"
#include "results_fixture.h"

using namespace dlmeval;
using namespace dlmeval::testing;

namespace {

// Baseline right on the first `right` of n docs; the candidate loses `lost` of those and gains
// `gained` of the others.
std::pair<std::vector<int>, std::vector<int>> outcomes(int n, int right, int lost, int gained) {
  std::vector<int> a(n, 0);
  for (int i = 0; i < right; ++i) a[i] = 1;
  std::vector<int> b = a;
  for (int i = 0; i < lost; ++i) b[i] = 0;
  for (int i = right; i < right + gained; ++i) b[i] = 1;
  return {a, b};
}

void write_pair(const TempDir& dir, int n, int right, int lost, int gained, bool other_data = false) {
  auto [a, b] = outcomes(n, right, lost, gained);
  RunManifest m = make_manifest();
  m.tasks = {make_task("gsm8k", n)};
  m.protocols = {make_protocol("p", 64)};
  write_run(dir.path("base"), m, {{{"gsm8k", "p"}, binary_samples(a)}});
  if (other_data) m.tasks[0].data_files.begin()->second = std::string(64, 'c');
  write_run(dir.path("cand"), m, {{{"gsm8k", "p"}, binary_samples(b)}});
}

RegressResult run_regress(const TempDir& dir, double max_drop = 1.0) {
  RegressOptions options;
  options.max_drop_points = max_drop;
  return regress(load_run(dir.path("base")), load_run(dir.path("cand")), options);
}

}  // namespace

TEST(Regress, RealDropOnManyDocsFails) {
  TempDir dir("regress_drop");
  write_pair(dir, 400, 280, 40, 0);  // 70% -> 60% on 400 docs
  RegressResult r = run_regress(dir);
  ASSERT_EQ(r.checks.size(), 1u);
  EXPECT_NEAR(r.checks[0].drop, 10.0, 1e-9);
  EXPECT_TRUE(r.checks[0].significant);
  EXPECT_TRUE(r.checks[0].regression);
  EXPECT_EQ(r.exit_code(), 1);
  std::string xml = r.to_junit_xml();
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"gsm8k exact_match on 400 shared docs: 0.7000 -&gt; 0.6000"), std::string::npos) << xml;
  EXPECT_NE(r.to_markdown().find("**REGRESSION**"), std::string::npos);
}

TEST(Regress, SameDropOnFewDocsIsNoise) {
  TempDir dir("regress_noise");
  write_pair(dir, 10, 7, 2, 1);  // 70% -> 60% on 10 docs: 2 lost, 1 gained
  RegressResult r = run_regress(dir);
  ASSERT_EQ(r.checks.size(), 1u);
  EXPECT_NEAR(r.checks[0].drop, 10.0, 1e-9);
  EXPECT_NEAR(r.checks[0].paired.p_value, 1.0, 1e-12);
  EXPECT_FALSE(r.checks[0].regression);
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_NE(r.to_markdown().find("drop within noise"), std::string::npos);
}

TEST(Regress, SignificantDropWithinAllowancePasses) {
  TempDir dir("regress_allowed");
  write_pair(dir, 400, 280, 40, 0);
  EXPECT_EQ(run_regress(dir, 12.0).exit_code(), 0);
}

TEST(Regress, DataMismatchIsNotARegression) {
  TempDir dir("regress_mismatch");
  write_pair(dir, 400, 280, 40, 0, /*other_data=*/true);
  RegressResult r = run_regress(dir);
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_TRUE(r.checks.empty());
  ASSERT_EQ(r.mismatches.size(), 1u);
  EXPECT_NE(r.mismatches[0].find("gsm8k: data file gsm8k/test.jsonl sha256 differs"), std::string::npos) << r.mismatches[0];
  EXPECT_NE(r.to_junit_xml().find("<error message=\"gsm8k: data file"), std::string::npos);
}

TEST(RegressCli, ExitCodesAndReportFiles) {
  {
    TempDir dir("regress_cli_drop");
    write_pair(dir, 400, 280, 40, 0);
    std::string out;
    int rc = run_dlmeval("regress --baseline " + dir.path("base") + " --candidate " + dir.path("cand") + " --max-drop 2 --junit " +
                             dir.path("junit.xml") + " --markdown " + dir.path("summary.md"),
                         &out);
    EXPECT_EQ(rc, 1) << out;
    std::string xml = read_file_bytes(dir.path("junit.xml"));
    EXPECT_NE(xml.find("<testsuite name=\"dlmeval.regress\" tests=\"1\" failures=\"1\""), std::string::npos) << xml;
    EXPECT_NE(read_file_bytes(dir.path("summary.md")).find("# dlmeval regress: FAIL (1 regression)"), std::string::npos);
  }
  {
    TempDir dir("regress_cli_noise");
    write_pair(dir, 10, 7, 2, 1);
    std::string out;
    EXPECT_EQ(run_dlmeval("regress --baseline " + dir.path("base") + " --candidate " + dir.path("cand") + " --junit " +
                              dir.path("junit.xml"),
                          &out),
              0)
        << out;
    EXPECT_NE(read_file_bytes(dir.path("junit.xml")).find("failures=\"0\""), std::string::npos);
  }
  {
    TempDir dir("regress_cli_mismatch");
    write_pair(dir, 40, 28, 4, 0, /*other_data=*/true);
    std::string out;
    EXPECT_EQ(run_dlmeval("regress --baseline " + dir.path("base") + " --candidate " + dir.path("cand") + " --markdown " +
                              dir.path("summary.md"),
                          &out),
              2)
        << out;
    EXPECT_NE(out.find("not comparable: gsm8k: data file gsm8k/test.jsonl sha256 differs"), std::string::npos) << out;
    EXPECT_NE(read_file_bytes(dir.path("summary.md")).find("NOT COMPARABLE"), std::string::npos);
  }
}

TEST(Regress, UnknownGatedMetricIsAnError) {
  TempDir dir("regress_metric");
  write_pair(dir, 10, 7, 2, 1);
  RegressOptions options;
  options.metrics = {"exact_match"};
  EXPECT_EQ(regress(load_run(dir.path("base")), load_run(dir.path("cand")), options).checks.size(), 1u);
  options.metrics = {"pass@1"};
  EXPECT_THROW(regress(load_run(dir.path("base")), load_run(dir.path("cand")), options), UserError);
}
