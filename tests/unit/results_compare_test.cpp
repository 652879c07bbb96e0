#include <gtest/gtest.h>

#include "results/compare.h"
#include "results_fixture.h"

using namespace dlmeval;
using namespace dlmeval::testing;

namespace {

// 100 docs; baseline right on 0..59. Candidate loses docs 0..2 and gains 60..71.
std::vector<int> baseline_correct() {
  std::vector<int> v(100, 0);
  for (int i = 0; i < 60; ++i) v[i] = 1;
  return v;
}
std::vector<int> candidate_correct() {
  auto v = baseline_correct();
  for (int i = 0; i < 3; ++i) v[i] = 0;
  for (int i = 60; i < 72; ++i) v[i] = 1;
  return v;
}

RunManifest manifest_with(const ManifestProtocol& protocol) {
  RunManifest m = make_manifest();
  m.tasks = {make_task("gsm8k", 100)};
  m.protocols = {protocol};
  return m;
}

}  // namespace

TEST(Compare, PairedBinaryDeltaCiAndMcNemar) {
  std::map<std::string, double> a, b;
  auto ca = baseline_correct(), cb = candidate_correct();
  for (int i = 0; i < 100; ++i) {
    a[std::to_string(i)] = ca[i];
    b[std::to_string(i)] = cb[i];
  }
  PairedComparison c = paired_compare(a, b);
  EXPECT_EQ(c.n_shared, 100);
  EXPECT_TRUE(c.binary);
  EXPECT_DOUBLE_EQ(c.baseline_mean, 0.60);
  EXPECT_DOUBLE_EQ(c.candidate_mean, 0.69);
  EXPECT_NEAR(c.delta, 0.09, 1e-12);
  EXPECT_EQ(c.baseline_only, 3);
  EXPECT_EQ(c.candidate_only, 12);
  // Two-sided exact binomial: 2 * P[X <= 3], X ~ Bin(15, 1/2) = 2 * 576 / 32768.
  EXPECT_NEAR(c.p_value, 2.0 * 576.0 / 32768.0, 1e-12);
  EXPECT_LT(c.ci_lower, c.delta);
  EXPECT_GT(c.ci_upper, c.delta);
  EXPECT_GT(c.ci_lower, 0.0);  // 9 of 15 discordant docs more in favour: the interval clears zero
  EXPECT_LT(c.ci_upper, 0.2);
  EXPECT_EQ(format_delta(c.delta, c.fraction), "+9.00 pts");
}

TEST(Compare, JoinsOnDocIdAndUsesPermutationForContinuousMetrics) {
  std::map<std::string, double> a, b;
  for (int i = 0; i < 10; ++i) a[std::to_string(i)] = 0.1 * i;
  for (int i = 5; i < 15; ++i) b[std::to_string(i)] = 0.1 * i + 0.05 * (i % 3);
  PairedComparison c = paired_compare(a, b);
  EXPECT_EQ(c.n_shared, 5);  // docs 5..9
  EXPECT_FALSE(c.binary);
  EXPECT_EQ(c.test_name(), "paired permutation");
  EXPECT_NEAR(c.delta, 0.05 * (2 + 0 + 1 + 2 + 0) / 5.0, 1e-12);

  std::map<std::string, double> x, y;
  for (int i = 0; i < 30; ++i) {
    x[std::to_string(i)] = std::sin(i) * 3;
    y[std::to_string(i)] = std::sin(i) * 3 + 0.5;  // shifted on every doc
  }
  PairedComparison shifted = paired_compare(x, y);
  EXPECT_LT(shifted.p_value, 0.001);
  EXPECT_NEAR(shifted.ci_lower, 0.5, 1e-9);
  EXPECT_NEAR(shifted.ci_upper, 0.5, 1e-9);
}

TEST(Compare, RunsSideBySideWithProtocolDifferencesShown) {
  TempDir dir("compare_runs");
  write_run(dir.path("a"), manifest_with(make_protocol("p64", 64)), {{{"gsm8k", "p64"}, binary_samples(baseline_correct())}});
  write_run(dir.path("b"), manifest_with(make_protocol("p32", 32)), {{{"gsm8k", "p32"}, binary_samples(candidate_correct())}});
  CompareReport report = compare_runs({load_run(dir.path("a")), load_run(dir.path("b"))});
  ASSERT_EQ(report.columns.size(), 2u);
  EXPECT_EQ(report.columns[0].label, "a/p64");
  ASSERT_EQ(report.deltas.size(), 1u);
  EXPECT_EQ(report.deltas[0].paired.candidate_only, 12);
  EXPECT_TRUE(report.not_comparable.empty());
  ASSERT_EQ(report.protocol_changes.size(), 1u);
  EXPECT_NE(report.protocol_changes[0].text.find("steps: 64 → 32"), std::string::npos) << report.protocol_changes[0].text;
  std::string md = report.to_markdown();
  EXPECT_NE(md.find("| exact_match | 0.6000 ± "), std::string::npos) << md;
  EXPECT_NE(md.find("+9.00 pts"), std::string::npos) << md;
  EXPECT_NE(md.find("McNemar exact"), std::string::npos) << md;
  EXPECT_NE(md.find("0.035"), std::string::npos) << md;
  Json j = report.to_json();
  EXPECT_NEAR(j["deltas"][0]["p_value"].get<double>(), 0.03515625, 1e-12);
}

TEST(Compare, NotesCostsFromDifferentMachines) {
  TempDir dir("compare_machines");
  RunManifest a = manifest_with(make_protocol("p64", 64)), b = manifest_with(make_protocol("p64", 64));
  a.extra["machine"] = {{"cpu_model", "Xeon"}, {"threads", 2}, {"device_name", "cpu"}};
  b.extra["machine"] = {{"cpu_model", "Xeon"}, {"threads", 8}, {"device_name", "cpu"}};
  write_run(dir.path("a"), a, {{{"gsm8k", "p64"}, binary_samples(baseline_correct())}});
  write_run(dir.path("b"), b, {{{"gsm8k", "p64"}, binary_samples(candidate_correct())}});
  const CompareReport report = compare_runs({load_run(dir.path("a")), load_run(dir.path("b"))});
  ASSERT_EQ(report.other_notes.size(), 1u);
  EXPECT_EQ(report.other_notes[0].text, "costs measured on different machines: threads 2 → 8");
  write_run(dir.path("c"), a, {{{"gsm8k", "p64"}, binary_samples(candidate_correct())}});
  EXPECT_TRUE(compare_runs({load_run(dir.path("a")), load_run(dir.path("c"))}).other_notes.empty());
}

TEST(Compare, RefusesWhenDataOrPromptsDiffer) {
  TempDir dir("compare_refuse");
  write_run(dir.path("a"), manifest_with(make_protocol("p", 64)), {{{"gsm8k", "p"}, binary_samples(baseline_correct())}});

  RunManifest other_data = manifest_with(make_protocol("p", 64));
  other_data.tasks[0].data_files.begin()->second = std::string(64, 'b');
  write_run(dir.path("data"), other_data, {{{"gsm8k", "p"}, binary_samples(candidate_correct())}});

  auto changed = binary_samples(candidate_correct());
  changed[5] = make_sample("5", {{"exact_match", 1.0}}, "A different prompt for doc 5");
  write_run(dir.path("prompt"), manifest_with(make_protocol("p", 64)), {{{"gsm8k", "p"}, changed}});

  CompareReport report = compare_runs({load_run(dir.path("a")), load_run(dir.path("data")), load_run(dir.path("prompt"))});
  EXPECT_TRUE(report.deltas.empty());  // no number is called comparable
  ASSERT_EQ(report.not_comparable.size(), 2u);
  EXPECT_EQ(report.columns[report.not_comparable[0].column].label, "data/p");
  EXPECT_NE(report.not_comparable[0].text.find("data file gsm8k/test.jsonl sha256 differs"), std::string::npos)
      << report.not_comparable[0].text;
  EXPECT_EQ(report.columns[report.not_comparable[1].column].label, "prompt/p");
  EXPECT_NE(report.not_comparable[1].text.find("prompt differs for 1 of 100 shared docs (first: doc 5)"), std::string::npos)
      << report.not_comparable[1].text;
  EXPECT_NE(report.to_markdown().find("## Not comparable"), std::string::npos);
}

TEST(Compare, ProtocolDifferencesListNestedKeys) {
  Json a = {{"steps", 64}, {"cfg", {{"scale", 0.5}}}, {"remasking", "low_confidence"}};
  Json b = {{"steps", 64}, {"cfg", {{"scale", 2.0}}}, {"threshold", 0.9}, {"remasking", "low_confidence"}};
  auto diffs = protocol_differences(a, b);
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0], "cfg.scale: 0.5 → 2.0");
  EXPECT_EQ(diffs[1], "threshold: (unset) → 0.9");
}

TEST(CompareCli, PrintsTablesAndWritesJson) {
  TempDir dir("compare_cli");
  write_run(dir.path("a"), manifest_with(make_protocol("p64", 64)), {{{"gsm8k", "p64"}, binary_samples(baseline_correct())}});
  write_run(dir.path("b"), manifest_with(make_protocol("p32", 32)), {{{"gsm8k", "p32"}, binary_samples(candidate_correct())}});
  std::string out;
  ASSERT_EQ(run_dlmeval("compare " + dir.path("a") + " " + dir.path("b") + " --json " + dir.path("c.json"), &out), 0) << out;
  EXPECT_NE(out.find("| exact_match | 0.6000 ± "), std::string::npos) << out;
  EXPECT_NE(out.find("steps: 64 → 32"), std::string::npos) << out;
  Json j = read_json_file(dir.path("c.json"));
  EXPECT_EQ(j["deltas"][0]["n_shared"], 100);
  EXPECT_NEAR(j["deltas"][0]["delta"].get<double>(), 0.09, 1e-12);
}
