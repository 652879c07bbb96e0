#pragma once
// The unbiased pass@k estimator of Chen et al. (2021), "Evaluating Large Language Models
// Trained on Code": with n samples of which c pass, pass@k = 1 - C(n-c, k) / C(n, k).
#include <vector>

namespace dlmeval {

// Unbiased pass@k for one problem, computed as 1 - prod_{i=n-c+1..n} (1 - k/i), which never forms
// a large binomial coefficient. Returns 1.0 when n - c < k (every k-subset holds a pass).
// Throws std::invalid_argument unless 0 <= c <= n and 1 <= k <= n.
double pass_at_k(int n, int c, int k);

// Mean of pass_at_k over problems, given each problem's (n, c) counts with the same k.
double mean_pass_at_k(const std::vector<int>& n_per_problem, const std::vector<int>& c_per_problem, int k);

}  // namespace dlmeval
