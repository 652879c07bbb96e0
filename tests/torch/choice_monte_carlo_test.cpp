// Monte-Carlo estimators over many seeds: means against the exact expectations, spreads against
// the official estimator's spread (golden mc_std) and against the standard errors they report.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numeric>

#include "choice_test_util.h"
#include "runners/choice/choice_scoring.h"
#include "runners/choice/mask_counts.h"

using namespace dlmeval;

namespace {

struct Spread {
  double mean = 0, sd = 0, mean_reported_stderr = 0;
};

Spread over_seeds(const LoadedModel& model, const TokenIds& prompt, const TokenIds& answer, const Json& protocol,
                  int seeds) {
  std::vector<double> values;
  Spread s;
  for (int seed = 0; seed < seeds; ++seed) {
    const auto e = estimate_pair(model, prompt, answer, protocol, 1000 + seed);
    values.push_back(e.loglik);
    s.mean_reported_stderr += e.stderr_of_loglik / seeds;
  }
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / seeds;
  for (double v : values) s.sd += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(s.sd / (seeds - 1));
  return s;
}

// 40 runs: the sample sd of 40 values has a relative spread of about 1/sqrt(2*39) = 11%, the
// golden's (100 seeds) about 7%, so their ratio stays within exp(+-4 * 0.13) = [0.59, 1.7] unless
// the two estimators differ; [0.5, 2] leaves room for skewed loss distributions. The reported
// standard error comes from 8 groups per run (relative spread ~27% each), averaged over 40 runs.
constexpr int kSeeds = 40;
constexpr double kLowRatio = 0.5, kHighRatio = 2.0;

struct McCase {
  size_t pair;
  const char* cfg;
};

class ChoiceMonteCarlo : public ::testing::TestWithParam<McCase> {};

TEST_P(ChoiceMonteCarlo, MeansMatchExactExpectationsAndSpreadsMatchReference) {
  const auto& model = test::cached_model("llada-tiny");
  const Json& pair = test::likelihood_golden("llada-tiny")["pairs"][GetParam().pair];
  const Json& g = pair[GetParam().cfg];
  const TokenIds prompt = test::ids_of(pair["prompt_ids"]), answer = test::ids_of(pair["answer_ids"]);
  const double cfg = g["cfg_scale"].get<double>();

  const Spread official = over_seeds(model, prompt, answer, {{"estimator", "mc_elbo"}, {"cfg_scale", cfg}}, kSeeds);
  const double official_exact = g["exact_expectation_official_stratification"].get<double>();
  EXPECT_LE(std::abs(official.mean - official_exact), 4 * official.sd / std::sqrt(kSeeds))
      << "mc_elbo mean " << official.mean << " vs " << official_exact;
  const double ratio = official.sd / g["mc_std"].get<double>();
  EXPECT_GE(ratio, kLowRatio);
  EXPECT_LE(ratio, kHighRatio);
  EXPECT_GE(official.mean_reported_stderr / official.sd, kLowRatio);
  EXPECT_LE(official.mean_reported_stderr / official.sd, kHighRatio);

  const Spread uniform =
      over_seeds(model, prompt, answer, {{"estimator", "mc_elbo_uniform"}, {"cfg_scale", cfg}}, kSeeds);
  const double uniform_exact = g["exact_expectation_uniform_k"].get<double>();
  EXPECT_LE(std::abs(uniform.mean - uniform_exact), 4 * uniform.sd / std::sqrt(kSeeds))
      << "mc_elbo_uniform mean " << uniform.mean << " vs " << uniform_exact;
  EXPECT_GE(uniform.mean_reported_stderr / uniform.sd, kLowRatio);
  EXPECT_LE(uniform.mean_reported_stderr / uniform.sd, kHighRatio);
  std::printf("[ L=%zu %s ] mc_elbo mean %.4f (exact %.4f) sd %.4f (official %.4f) | mc_elbo_uniform mean %.4f "
              "(exact %.4f) sd %.4f\n",
              answer.size(), GetParam().cfg, official.mean, official_exact, official.sd, g["mc_std"].get<double>(),
              uniform.mean, uniform_exact, uniform.sd);
}

INSTANTIATE_TEST_SUITE_P(Pairs, ChoiceMonteCarlo,
                         ::testing::Values(McCase{1, "cfg0"}, McCase{4, "cfg0"}, McCase{7, "cfg0.5"}),
                         [](const auto& info) {
                           return "pair" + std::to_string(info.param.pair) +
                                  (std::string(info.param.cfg) == "cfg0" ? "_cfg0" : "_cfg05");
                         });

// Dream's bound: E = -sum_k G_k / (1 - eps) * int_eps^1 p^(k-1) (1-p)^(L-k) dp, with G_k the sum of
// masked CE over all subsets of size k (from the exact per-k losses). At eps = 0 it is exact_elbo.
double dream_expectation(const std::vector<double>& f, double eps) {
  const auto L = static_cast<int64_t>(f.size());
  auto binomial = [](int64_t n, int64_t k) {
    double c = 1;
    for (int64_t i = 1; i <= k; ++i) c = c * static_cast<double>(n - k + i) / static_cast<double>(i);
    return c;
  };
  double e = 0;
  for (int64_t k = 1; k <= L; ++k) {
    const double G = binomial(L, k) * f[k - 1] * static_cast<double>(k) / static_cast<double>(L);
    double integral = 0;
    for (int64_t j = 0; j <= L - k; ++j)
      integral += binomial(L - k, j) * (j % 2 ? -1.0 : 1.0) * (1.0 - std::pow(eps, static_cast<double>(k + j))) /
                  static_cast<double>(k + j);
    e -= G * integral / (1.0 - eps);
  }
  return e;
}

TEST(ChoiceMonteCarloDream, DreamElboMeanMatchesItsExactExpectation) {
  for (const char* name : {"dream-tiny", "llada-tiny"}) {
    const auto& model = test::cached_model(name);
    const TokenIds prompt{1018, 17, 250, 31, 77}, answer{400, 5, 912, 66, 3};
    const double eps = 0.05;  // large enough that the eps correction is visible
    const auto f = exact_weighted_loss_per_k(model, prompt, answer, 0.0);
    const double exact = dream_expectation(f, eps);
    const Spread s = over_seeds(model, prompt, answer, {{"estimator", "dream_elbo"}, {"eps", eps}}, kSeeds);
    EXPECT_LE(std::abs(s.mean - exact), 4 * s.sd / std::sqrt(kSeeds)) << name << " " << s.mean << " vs " << exact;
    EXPECT_GE(s.mean_reported_stderr / s.sd, kLowRatio) << name;
    EXPECT_LE(s.mean_reported_stderr / s.sd, kHighRatio) << name;
    std::printf("[ %s ] dream_elbo mean %.4f exact %.4f sd %.4f\n", name, s.mean, exact, s.sd);
  }
}

}  // namespace
