#include "scorers/statistics.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace dlmeval {
namespace {

// Uniform index in [0, n) from one raw 64-bit draw (multiply-shift), identical on every platform.
size_t draw_index(std::mt19937_64& rng, size_t n) {
  return static_cast<size_t>((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

double sample_variance(const std::vector<double>& values) {
  if (values.size() < 2) return 0.0;
  double mu = mean(values);
  double sum_sq = 0;
  for (double v : values) sum_sq += (v - mu) * (v - mu);
  return sum_sq / static_cast<double>(values.size() - 1);
}

// Linear interpolation between order statistics (numpy's default "linear" method).
double quantile_sorted(const std::vector<double>& sorted, double q) {
  double h = (static_cast<double>(sorted.size()) - 1) * q;
  size_t lo = static_cast<size_t>(std::floor(h));
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

void require_paired(const std::vector<double>& a, const std::vector<double>& b, const char* who) {
  if (a.size() != b.size())
    throw std::invalid_argument(std::string(who) + ": paired samples differ in length (" +
                                std::to_string(a.size()) + " vs " + std::to_string(b.size()) + ")");
}

// P[X <= k] for X ~ Binomial(n, 1/2), summed in log space so large n neither overflows nor
// underflows term by term.
double binomial_half_lower_tail(int64_t n, int64_t k) {
  double log_half_n = static_cast<double>(n) * std::log(0.5);
  double total = 0;
  for (int64_t i = 0; i <= k; ++i) {
    double log_choose = std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(i) + 1) -
                        std::lgamma(static_cast<double>(n - i) + 1);
    total += std::exp(log_choose + log_half_n);
  }
  return total;
}

}  // namespace

double mean(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  double total = 0;
  for (double v : values) total += v;
  return total / static_cast<double>(values.size());
}

double sample_stderr(const std::vector<double>& values) {
  if (values.size() < 2) return 0.0;
  return std::sqrt(sample_variance(values) / static_cast<double>(values.size()));
}

double bootstrap_stderr(const std::vector<double>& values, int n_resamples, uint64_t seed) {
  if (values.size() < 2 || n_resamples < 2) return 0.0;
  std::mt19937_64 rng(seed);
  std::vector<double> means(static_cast<size_t>(n_resamples));
  for (double& m : means) {
    double total = 0;
    for (size_t i = 0; i < values.size(); ++i) total += values[draw_index(rng, values.size())];
    m = total / static_cast<double>(values.size());
  }
  return std::sqrt(sample_variance(means));
}

PairedInterval paired_bootstrap_ci(const std::vector<double>& a, const std::vector<double>& b, double confidence,
                                   int n_resamples, uint64_t seed) {
  require_paired(a, b, "paired_bootstrap_ci");
  if (a.empty()) throw std::invalid_argument("paired_bootstrap_ci: no samples");
  if (!(confidence > 0 && confidence < 1)) throw std::invalid_argument("paired_bootstrap_ci: confidence must be in (0, 1)");
  if (n_resamples < 1) throw std::invalid_argument("paired_bootstrap_ci: n_resamples must be positive");
  std::vector<double> diff(a.size());
  for (size_t i = 0; i < a.size(); ++i) diff[i] = b[i] - a[i];
  std::mt19937_64 rng(seed);
  std::vector<double> deltas(static_cast<size_t>(n_resamples));
  for (double& d : deltas) {
    double total = 0;
    for (size_t i = 0; i < diff.size(); ++i) total += diff[draw_index(rng, diff.size())];
    d = total / static_cast<double>(diff.size());
  }
  std::sort(deltas.begin(), deltas.end());
  PairedInterval out;
  out.delta = mean(diff);
  out.lower = quantile_sorted(deltas, (1 - confidence) / 2);
  out.upper = quantile_sorted(deltas, (1 + confidence) / 2);
  return out;
}

double mcnemar_exact_p(int64_t b_only, int64_t c_only) {
  if (b_only < 0 || c_only < 0) throw std::invalid_argument("mcnemar_exact_p: counts must be non-negative");
  int64_t n = b_only + c_only;
  if (n == 0) return 1.0;
  return std::min(1.0, 2.0 * binomial_half_lower_tail(n, std::min(b_only, c_only)));
}

DiscordantCounts discordant_counts(const std::vector<double>& a, const std::vector<double>& b) {
  require_paired(a, b, "discordant_counts");
  DiscordantCounts counts;
  for (size_t i = 0; i < a.size(); ++i) {
    bool right_a = a[i] > 0.5, right_b = b[i] > 0.5;
    if (right_a && !right_b) ++counts.a_only;
    if (right_b && !right_a) ++counts.b_only;
  }
  return counts;
}

double sign_test_p(const std::vector<double>& a, const std::vector<double>& b) {
  require_paired(a, b, "sign_test_p");
  int64_t up = 0, down = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (b[i] > a[i]) ++up;
    if (b[i] < a[i]) ++down;
  }
  return mcnemar_exact_p(up, down);
}

double paired_permutation_p(const std::vector<double>& a, const std::vector<double>& b, int n_resamples,
                            uint64_t seed) {
  require_paired(a, b, "paired_permutation_p");
  if (a.empty() || n_resamples < 1) return 1.0;
  std::vector<double> diff(a.size());
  for (size_t i = 0; i < a.size(); ++i) diff[i] = b[i] - a[i];
  double observed = std::fabs(mean(diff));
  // Compare with a relative tolerance: sums of the same terms in another order differ in the last bits.
  double tolerance = 1e-12 * std::max(1.0, observed);
  std::mt19937_64 rng(seed);
  int64_t at_least_as_extreme = 0;
  for (int r = 0; r < n_resamples; ++r) {
    double total = 0;
    uint64_t bits = 0;
    for (size_t i = 0; i < diff.size(); ++i) {
      if (i % 64 == 0) bits = rng();
      total += (bits >> (i % 64)) & 1 ? diff[i] : -diff[i];
    }
    if (std::fabs(total / static_cast<double>(diff.size())) >= observed - tolerance) ++at_least_as_extreme;
  }
  return static_cast<double>(1 + at_least_as_extreme) / static_cast<double>(1 + n_resamples);
}

}  // namespace dlmeval
