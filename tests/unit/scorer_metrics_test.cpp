#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "scorers/choice_metrics.h"
#include "scorers/pass_at_k.h"
#include "scorers/statistics.h"

using namespace dlmeval;

namespace {

// Reference values: /usr/bin/python3 with math.comb, 1 - comb(n-c, k) / comb(n, k).
TEST(PassAtK, MatchesExactBinomialRatio) {
  struct Row {
    int n, c, k;
    double expected;
  };
  const std::vector<Row> rows = {
      {10, 3, 1, 0.3},   {10, 3, 5, 0.9166666666666666}, {10, 0, 3, 0.0},
      {10, 10, 1, 1.0},  {200, 17, 10, 0.5974489015799118}, {5, 2, 2, 0.7},
      {20, 1, 20, 1.0},  {100, 50, 10, 0.9994065803274141},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(::testing::Message() << "n=" << r.n << " c=" << r.c << " k=" << r.k);
    EXPECT_NEAR(pass_at_k(r.n, r.c, r.k), r.expected, 1e-12);
  }
  // pass@1 is the plain pass rate.
  EXPECT_NEAR(pass_at_k(7, 3, 1), 3.0 / 7.0, 1e-15);
  EXPECT_NEAR(mean_pass_at_k({10, 10}, {3, 0}, 1), 0.15, 1e-15);
}

TEST(PassAtK, RejectsImpossibleCounts) {
  EXPECT_THROW(pass_at_k(5, 6, 1), std::invalid_argument);
  EXPECT_THROW(pass_at_k(5, 2, 6), std::invalid_argument);
  EXPECT_THROW(pass_at_k(5, 2, 0), std::invalid_argument);
  EXPECT_THROW(pass_at_k(5, -1, 1), std::invalid_argument);
}

TEST(ChoiceMetrics, ArgmaxTakesFirstOfTies) {
  EXPECT_EQ(argmax_choice({-3.0, -1.0, -1.0, -2.0}), 1u);
  EXPECT_EQ(choice_acc({-3.0, -1.0}, 1), 1.0);
  EXPECT_EQ(choice_acc({-3.0, -1.0}, 0), 0.0);
  EXPECT_THROW(argmax_choice({}), std::invalid_argument);
}

TEST(ChoiceMetrics, AccNormDividesByUtf8Bytes) {
  // Raw: choice 0 wins; per byte: -10/2 = -5 vs -12/6 = -2, choice 1 wins.
  EXPECT_EQ(choice_acc({-10.0, -12.0}, 0), 1.0);
  EXPECT_EQ(choice_acc_norm({-10.0, -12.0}, {"ab", "abcdef"}, 1), 1.0);
  // "éé" is 4 bytes but 2 characters: per byte -4/4 = -1 beats -3.3/3 = -1.1; per character it would not.
  EXPECT_EQ(choice_acc_norm({-4.0, -3.3}, {"\xc3\xa9\xc3\xa9", "abc"}, 0), 1.0);
  EXPECT_THROW(length_normalized_loglik({-1.0}, {"a", "b"}), std::invalid_argument);
}

TEST(ChoiceMetrics, TruthfulQaMc2) {
  // exp(-1) + exp(-2) over the sum of all four, computed with /usr/bin/python3.
  EXPECT_NEAR(truthfulqa_mc2({-1.0, -2.0, -0.5, -3.0}, {1, 1, 0, 0}), 0.43398071638967184, 1e-12);
  // Log-likelihoods far below exp's range still give the right ratio: 1 / (1 + e^-1).
  EXPECT_NEAR(truthfulqa_mc2({-1000.0, -1001.0}, {1, 0}), 0.7310585786300049, 1e-12);
  EXPECT_THROW(truthfulqa_mc2({-1.0, -2.0}, {0, 1}), std::invalid_argument);
  EXPECT_THROW(truthfulqa_mc2({-1.0}, {2}), std::invalid_argument);
}

TEST(Statistics, MeanAndSampleStderr) {
  const std::vector<double> binary = {1, 0, 1, 1, 0, 1, 0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(mean(binary), 0.6);
  // statistics.stdev(v) / sqrt(len(v)) in /usr/bin/python3.
  EXPECT_NEAR(sample_stderr(binary), 0.16329931618554522, 1e-12);
  EXPECT_NEAR(sample_stderr({0.5, 2.0, 3.5, -1.0}), 0.9682458365518543, 1e-12);
  EXPECT_EQ(sample_stderr({4.0}), 0.0);
  EXPECT_EQ(mean({}), 0.0);
}

TEST(Statistics, BootstrapStderrIsSeededAndNearTheAnalyticValue) {
  const std::vector<double> binary = {1, 0, 1, 1, 0, 1, 0, 0, 1, 1};
  double first = bootstrap_stderr(binary, 4000, 7);
  EXPECT_EQ(first, bootstrap_stderr(binary, 4000, 7));
  EXPECT_NE(first, bootstrap_stderr(binary, 4000, 8));
  // The bootstrap estimates the plug-in standard error sqrt(p(1-p)/n) = sqrt(0.24/10).
  EXPECT_NEAR(first, std::sqrt(0.024), 0.008);
  // The exact draw sequence, recomputed by an independent mt19937_64 written in /usr/bin/python3
  // with the same index mapping ((draw * n) >> 64) and statistics.stdev over the resampled means.
  EXPECT_NEAR(first, 0.15112282099920146, 1e-12);
}

TEST(Statistics, PairedBootstrapInterval) {
  std::vector<double> a = {0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1};
  std::vector<double> shifted;
  for (double v : a) shifted.push_back(v + 1);
  PairedInterval constant = paired_bootstrap_ci(a, shifted, 0.95, 500, 3);
  EXPECT_DOUBLE_EQ(constant.delta, 1.0);
  EXPECT_NEAR(constant.lower, 1.0, 1e-12);  // every resampled difference is exactly 1
  EXPECT_NEAR(constant.upper, 1.0, 1e-12);

  std::vector<double> b = {1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1};
  PairedInterval ci = paired_bootstrap_ci(a, b, 0.95, 2000, 11);
  EXPECT_NEAR(ci.delta, 3.0 / 12.0, 1e-15);
  EXPECT_LT(ci.lower, ci.delta);
  EXPECT_GT(ci.upper, ci.delta);
  EXPECT_GE(ci.lower, 0.0);  // b is never worse than a on any item
  PairedInterval again = paired_bootstrap_ci(a, b, 0.95, 2000, 11);
  EXPECT_EQ(ci.lower, again.lower);
  EXPECT_EQ(ci.upper, again.upper);
  EXPECT_THROW(paired_bootstrap_ci(a, {1.0}, 0.95, 10, 1), std::invalid_argument);
  EXPECT_THROW(paired_bootstrap_ci(a, b, 1.0, 10, 1), std::invalid_argument);
}

// Reference: min(1, 2 * sum(comb(n, i) for i <= min(b, c)) / 2**n) in /usr/bin/python3.
TEST(Statistics, McNemarExactMatchesBinomialTail) {
  struct Row {
    int64_t b, c;
    double p;
  };
  const std::vector<Row> rows = {
      {0, 0, 1.0},      {1, 0, 1.0},       {0, 1, 1.0},
      {0, 5, 0.0625},   {2, 8, 0.109375},  {5, 5, 1.0},
      {3, 12, 0.03515625}, {10, 25, 0.01667384780012071}, {40, 60, 0.05688793364098079},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(::testing::Message() << "b=" << r.b << " c=" << r.c);
    EXPECT_NEAR(mcnemar_exact_p(r.b, r.c), r.p, 1e-12 * std::max(1.0, r.p));
    EXPECT_DOUBLE_EQ(mcnemar_exact_p(r.b, r.c), mcnemar_exact_p(r.c, r.b));
  }
}

TEST(Statistics, DiscordantCountsAndSignTest) {
  DiscordantCounts counts = discordant_counts({1, 1, 0, 0, 1}, {1, 0, 1, 1, 0});
  EXPECT_EQ(counts.a_only, 2);
  EXPECT_EQ(counts.b_only, 2);
  // Five improvements, no regressions, one tie: the exact two-sided p is 2 / 2^5.
  EXPECT_DOUBLE_EQ(sign_test_p({0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, {0.2, 0.3, 0.4, 0.5, 0.6, 0.6}), 0.0625);
}

TEST(Statistics, PairedPermutationTest) {
  std::vector<double> a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::vector<double> same_shift;
  for (double v : a) same_shift.push_back(v + 0.5);
  // Only the all-plus and all-minus sign patterns (2 of 1024) reach the observed |mean|.
  double p = paired_permutation_p(a, same_shift, 5000, 5);
  EXPECT_LT(p, 0.01);
  EXPECT_EQ(p, paired_permutation_p(a, same_shift, 5000, 5));
  // Zero observed difference: every resample is at least as extreme.
  EXPECT_DOUBLE_EQ(paired_permutation_p(a, a, 200, 5), 1.0);
}

}  // namespace
