#pragma once
// Summary statistics and paired significance tests for per-sample metric values.
//
// Every resampling routine takes an explicit seed and draws from std::mt19937_64, mapping raw
// 64-bit draws to indices itself (std::uniform_int_distribution differs between standard
// libraries), so the same seed gives the same result everywhere.
#include <cstdint>
#include <vector>

namespace dlmeval {

// Arithmetic mean; 0 for an empty vector.
double mean(const std::vector<double>& values);

// Standard error of the mean from the sample standard deviation (n - 1 denominator):
// sqrt(var / n). 0 when fewer than two values. This is lm-eval's `mean_stderr`.
double sample_stderr(const std::vector<double>& values);

// Bootstrap standard error of the mean: the (n-1)-denominator standard deviation of the means of
// `n_resamples` resamples drawn with replacement. Deterministic given `seed`. 0 for < 2 values.
double bootstrap_stderr(const std::vector<double>& values, int n_resamples, uint64_t seed);

struct PairedInterval {
  double delta = 0;  // mean(b) - mean(a) on the full samples
  double lower = 0;  // percentile bootstrap interval bounds for delta
  double upper = 0;
};

// Paired percentile bootstrap for mean(b) - mean(a): resamples item indices (the same index for a
// and b, keeping the pairing) `n_resamples` times and returns the (1-confidence)/2 and
// (1+confidence)/2 quantiles (linear interpolation between order statistics) of the resampled
// deltas. Sizes must agree and be non-empty; 0 < confidence < 1 (std::invalid_argument otherwise).
PairedInterval paired_bootstrap_ci(const std::vector<double>& a, const std::vector<double>& b,
                                   double confidence, int n_resamples, uint64_t seed);

// Exact two-sided McNemar test for paired binary outcomes: `b_only` items right only under A,
// `c_only` right only under B. p = min(1, 2 * P[X <= min(b, c)]) with X ~ Binomial(b + c, 1/2);
// 1 when b + c == 0.
double mcnemar_exact_p(int64_t b_only, int64_t c_only);

// Counts for McNemar from two paired 0/1 (or boolean-as-double, > 0.5 counts as correct) vectors.
struct DiscordantCounts {
  int64_t a_only = 0;
  int64_t b_only = 0;
};
DiscordantCounts discordant_counts(const std::vector<double>& a, const std::vector<double>& b);

// Two-sided exact sign test for continuous paired metrics: counts pairs with b > a and b < a
// (ties dropped) and applies the same binomial tail as mcnemar_exact_p.
double sign_test_p(const std::vector<double>& a, const std::vector<double>& b);

// Two-sided paired permutation (sign-flip) test of mean(b - a) == 0: flips the sign of each
// difference at random `n_resamples` times and returns (1 + #{|mean flipped| >= |mean observed|})
// / (1 + n_resamples). Deterministic given `seed`.
double paired_permutation_p(const std::vector<double>& a, const std::vector<double>& b, int n_resamples,
                            uint64_t seed);

}  // namespace dlmeval
