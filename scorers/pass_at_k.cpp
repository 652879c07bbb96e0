#include "scorers/pass_at_k.h"

#include <stdexcept>
#include <string>

namespace dlmeval {

double pass_at_k(int n, int c, int k) {
  if (n < 1 || c < 0 || c > n || k < 1 || k > n)
    throw std::invalid_argument("pass_at_k needs 0 <= c <= n and 1 <= k <= n, got n=" + std::to_string(n) +
                                " c=" + std::to_string(c) + " k=" + std::to_string(k));
  if (n - c < k) return 1.0;
  // C(n-c, k) / C(n, k) = prod_{i=n-c+1..n} (1 - k / i)
  double all_fail = 1.0;
  for (int i = n - c + 1; i <= n; ++i) all_fail *= 1.0 - static_cast<double>(k) / i;
  return 1.0 - all_fail;
}

double mean_pass_at_k(const std::vector<int>& n_per_problem, const std::vector<int>& c_per_problem, int k) {
  if (n_per_problem.size() != c_per_problem.size())
    throw std::invalid_argument("mean_pass_at_k: n and c lists differ in length");
  if (n_per_problem.empty()) return 0.0;
  double total = 0;
  for (size_t i = 0; i < n_per_problem.size(); ++i) total += pass_at_k(n_per_problem[i], c_per_problem[i], k);
  return total / static_cast<double>(n_per_problem.size());
}

}  // namespace dlmeval
