// Collapse diagnostics on constructed samples: the shares in the summary, the length quantiles and
// histogram, and regress failing on a jump in empty answers while the headline metric holds.
#include <gtest/gtest.h>

#include "results/aggregate.h"
#include "results/collapse.h"
#include "results/regress.h"
#include "results_fixture.h"

namespace dlmeval {
namespace {

using testing::TempDir;

// One generation sample with these answers and token counts; exact_match 1 for every doc so the
// headline metric cannot move.
Json answer(const std::string& id, const std::vector<std::string>& texts, const std::vector<int64_t>& tokens,
            double invalid = 0) {
  Json r = testing::make_sample(id, {{"exact_match", 1.0}, {"invalid_extraction", invalid}});
  r["resps"] = texts;
  r["generated_tokens_per_sample"] = tokens;
  int64_t total = 0;
  for (int64_t t : tokens) total += t;
  r["generated_tokens"] = total;
  return r;
}

RunManifest manifest_for(int64_t docs) {
  RunManifest m = testing::make_manifest();
  m.tasks = {testing::make_task("gsm8k", docs, {"exact_match", "invalid_extraction"})};
  m.protocols = {testing::make_protocol("llada", 64)};  // gen_length 64
  return m;
}

TEST(Collapse, SharesQuantilesAndHistogramOfConstructedSamples) {
  TempDir dir("collapse");
  // Ten answers over five docs (two samples each): 2 empty, 1 whitespace, 3 at the 64-token limit,
  // invalid extraction 0.5 on two docs.
  std::vector<Json> records = {answer("0", {"", "12"}, {0, 5}, 0.5), answer("1", {"  \n", "7"}, {2, 9}),
                               answer("2", {"long", "longer"}, {64, 64}), answer("3", {"", "x"}, {0, 64}, 0.5),
                               answer("4", {"a", "b"}, {10, 30})};
  testing::write_run(dir.path(), manifest_for(5), {{{"gsm8k", "llada"}, records}});
  const RunSummary summary = summarize_run(load_run(dir.path()), AggregateOptions{});
  ASSERT_EQ(summary.evaluations.size(), 1u);
  const CollapseSummary& c = summary.evaluations[0].collapse;
  EXPECT_EQ(c.samples, 10);
  EXPECT_DOUBLE_EQ(c.shares.at("empty_output"), 0.2);
  EXPECT_DOUBLE_EQ(c.shares.at("whitespace_output"), 0.1);
  EXPECT_DOUBLE_EQ(c.shares.at("length_limit"), 0.3);
  EXPECT_DOUBLE_EQ(c.shares.at("invalid_extraction"), 0.2);  // (0.5 + 0.5) * 2 answers / 10
  // Sorted lengths 0 0 2 5 9 10 30 64 64 64: nearest-rank p10 = 0, p50 = 9, p90 = 64, max 64.
  EXPECT_EQ(c.length_quantiles, (std::vector<int64_t>{0, 9, 64, 64}));
  // Bins of 6.4 tokens: [0,6.4) holds 0 0 2 5; 9 and 10 the second; 30 the fifth; 64 the last.
  EXPECT_EQ(c.length_histogram, (std::vector<int64_t>{4, 2, 0, 0, 1, 0, 0, 0, 0, 3}));
  const Json j = summary.to_json();
  EXPECT_DOUBLE_EQ(j["results"][0]["collapse"]["shares"]["empty_output"].get<double>(), 0.2);
  EXPECT_NE(summary.to_markdown().find("| gsm8k | llada | 10 | 0.200 | 0.100 | 0.300 | 0.200 | 0 / 9 / 64 / 64 of 64 |"),
            std::string::npos)
      << summary.to_markdown();
}

TEST(Collapse, ChoiceEvaluationsHaveNone) {
  TempDir dir("collapse_choice");
  Json r = testing::make_sample("0", {{"acc", 1.0}});
  r["resps"] = {-1.5, -2.0};
  RunManifest m = testing::make_manifest();
  m.tasks = {testing::make_task("arc_easy", 1, {"acc"})};
  ManifestProtocol p;
  p.name = "mc";
  p.settings = {{"estimator", "mc_elbo"}};
  p.fingerprint = "fpmc";
  m.protocols = {p};
  testing::write_run(dir.path(), m, {{{"arc_easy", "mc"}, {r}}});
  EXPECT_EQ(summarize_run(load_run(dir.path()), AggregateOptions{}).evaluations[0].collapse.samples, 0);
}

TEST(Collapse, RegressFailsOnAJumpInEmptyAnswersWhileTheMetricHolds) {
  TempDir base("collapse_base"), cand("collapse_cand");
  std::vector<Json> before, after;
  for (int i = 0; i < 60; ++i) {
    const std::string id = std::to_string(i);
    before.push_back(answer(id, {"The answer is 4."}, {8}));
    // A quarter of the candidate's answers are empty; exact_match stays 1 everywhere.
    after.push_back(i % 4 == 0 ? answer(id, {""}, {0}) : answer(id, {"The answer is 4."}, {8}));
  }
  testing::write_run(base.path(), manifest_for(60), {{{"gsm8k", "llada"}, before}});
  testing::write_run(cand.path(), manifest_for(60), {{{"gsm8k", "llada"}, after}});
  const RegressResult result = regress(load_run(base.path()), load_run(cand.path()));
  bool metric_passed = false, empty_failed = false;
  for (const auto& c : result.checks) {
    if (c.metric == "exact_match") metric_passed = !c.regression;
    if (c.metric == "empty_output") {
      empty_failed = c.regression;
      EXPECT_TRUE(c.collapse);
      EXPECT_DOUBLE_EQ(c.drop, 25.0);  // its rise, in points
    }
  }
  EXPECT_TRUE(metric_passed);
  EXPECT_TRUE(empty_failed);
  EXPECT_EQ(result.exit_code(), 1);
  EXPECT_NE(result.to_junit_xml().find("empty_output"), std::string::npos);
  EXPECT_NE(result.to_markdown().find("empty_output (share, rise)"), std::string::npos);
  RegressOptions metrics_only;
  metrics_only.gate_collapse = false;
  EXPECT_EQ(regress(load_run(base.path()), load_run(cand.path()), metrics_only).exit_code(), 0);
}

}  // namespace
}  // namespace dlmeval
