// exact_elbo and the exact expectation of the official stratified estimator against the numbers
// the official get_log_likelihood code was checked against (golden likelihood.json).
#include <gtest/gtest.h>

#include <cmath>

#include "choice_test_util.h"
#include "runners/choice/choice_scoring.h"
#include "runners/choice/mask_counts.h"

using namespace dlmeval;

namespace {

void expect_rel(double actual, double expected, double rel, const std::string& what) {
  EXPECT_LE(std::abs(actual - expected), rel * std::abs(expected)) << what << ": " << actual << " vs " << expected;
}

class ChoiceGoldenExact : public ::testing::TestWithParam<std::string> {};

TEST_P(ChoiceGoldenExact, ExactElboAndOfficialExpectationMatchReference) {
  const auto& model = test::cached_model(GetParam());
  const Json& golden = test::likelihood_golden(GetParam());
  ASSERT_EQ(golden["pairs"].size(), 8u);
  for (const auto& pair : golden["pairs"]) {
    const TokenIds prompt = test::ids_of(pair["prompt_ids"]), answer = test::ids_of(pair["answer_ids"]);
    const auto L = static_cast<int64_t>(answer.size());
    const std::vector<double> w = official_mask_count_distribution(L, 16);
    for (const char* cfg : {"cfg0", "cfg0.5"}) {
      const Json& g = pair[cfg];
      const double cfg_scale = g["cfg_scale"].get<double>();
      const std::string where = GetParam() + " L=" + std::to_string(L) + " " + cfg;
      const auto exact = estimate_pair(model, prompt, answer, {{"estimator", "exact_elbo"}, {"cfg_scale", cfg_scale}}, 0);
      expect_rel(exact.loglik, g["exact_expectation_uniform_k"].get<double>(), 1e-5, where + " exact_elbo");
      EXPECT_EQ(exact.stderr_of_loglik, 0.0);

      const auto f = exact_weighted_loss_per_k(model, prompt, answer, cfg_scale);
      ASSERT_EQ(f.size(), static_cast<size_t>(L));
      double official = 0;
      for (int64_t k = 0; k < L; ++k) {
        expect_rel(f[k], g["per_k_weighted_loss_f_k"][k].get<double>(), 1e-5, where + " f_" + std::to_string(k + 1));
        official -= w[k] * f[k];
      }
      expect_rel(official, g["exact_expectation_official_stratification"].get<double>(), 1e-5, where + " official");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Checkpoints, ChoiceGoldenExact,
                         ::testing::Values("llada-tiny", "llada-tiny-gqa-tied", "llada-tiny-sharded-bf16"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n) if (ch == '-') ch = '_';
                           return n;
                         });

TEST(ChoiceMaskCounts, OfficialDistributionMatchesReferenceForEveryPair) {
  for (const auto& pair : test::likelihood_golden("llada-tiny")["pairs"]) {
    const auto L = pair["answer_length"].get<int64_t>();
    const auto w = official_mask_count_distribution(L, 16);
    const Json& expected = pair["official_row_mask_count_distribution"];
    for (int64_t x = 1; x <= L; ++x) {
      const std::string key = std::to_string(x);
      const double want = expected.contains(key) ? expected[key].get<double>() : 0.0;
      EXPECT_NEAR(w[x - 1], want, 1e-12) << "L=" << L << " x=" << x;
    }
  }
}

TEST(ChoiceMaskCounts, OfficialCountsFollowRoundHalfToEven) {
  // L = 2, 16 rows, k = 1: points 1, 1.125, ..., 2.875; 1.5 and 2.5 both round to 2.
  const std::vector<int64_t> expected{1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1};
  EXPECT_EQ(official_mask_counts(1, 2, 16), expected);
  EXPECT_EQ(official_mask_counts(3, 5, 1), std::vector<int64_t>{3});
}

TEST(ChoiceMaskCounts, UniformCountsAreExactlyUniformPerRow) {
  for (int64_t L : {1, 2, 3, 7, 20}) {
    for (int64_t rows : {1, 3, 16}) {
      std::vector<std::vector<int64_t>> hits(rows, std::vector<int64_t>(L, 0));
      for (int64_t m = 0; m < L * rows; ++m) {
        const auto counts = uniform_mask_counts(m, L, rows);
        for (int64_t i = 0; i < rows; ++i) ++hits[i][counts[i] - 1];
      }
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t x = 0; x < L; ++x) EXPECT_EQ(hits[i][x], rows) << "L=" << L << " rows=" << rows;
    }
  }
}

}  // namespace
