#include "scorers/choice_metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dlmeval {

size_t argmax_choice(const std::vector<double>& loglik) {
  if (loglik.empty()) throw std::invalid_argument("argmax_choice: no choices");
  return static_cast<size_t>(std::max_element(loglik.begin(), loglik.end()) - loglik.begin());
}

double choice_acc(const std::vector<double>& loglik, size_t gold) { return argmax_choice(loglik) == gold ? 1.0 : 0.0; }

std::vector<double> length_normalized_loglik(const std::vector<double>& loglik,
                                             const std::vector<std::string>& continuations) {
  if (loglik.size() != continuations.size())
    throw std::invalid_argument("length_normalized_loglik: " + std::to_string(loglik.size()) +
                                " log-likelihoods for " + std::to_string(continuations.size()) + " continuations");
  std::vector<double> out(loglik.size());
  for (size_t i = 0; i < loglik.size(); ++i) {
    size_t bytes = continuations[i].size();  // std::string holds UTF-8 bytes
    out[i] = bytes == 0 ? loglik[i] : loglik[i] / static_cast<double>(bytes);
  }
  return out;
}

double choice_acc_norm(const std::vector<double>& loglik, const std::vector<std::string>& continuations,
                       size_t gold) {
  return argmax_choice(length_normalized_loglik(loglik, continuations)) == gold ? 1.0 : 0.0;
}

double truthfulqa_mc2(const std::vector<double>& loglik, const std::vector<int>& labels) {
  if (loglik.size() != labels.size() || loglik.empty())
    throw std::invalid_argument("truthfulqa_mc2: need one 0/1 label per answer and at least one answer");
  bool seen_false = false;
  for (int label : labels) {
    if (label != 0 && label != 1) throw std::invalid_argument("truthfulqa_mc2: labels must be 0 or 1");
    if (label == 1 && seen_false)
      throw std::invalid_argument("truthfulqa_mc2: labels must list true answers (1) before false ones (0)");
    seen_false = seen_false || label == 0;
  }
  double shift = *std::max_element(loglik.begin(), loglik.end());
  double p_true = 0, p_all = 0;
  for (size_t i = 0; i < loglik.size(); ++i) {
    double p = std::exp(loglik[i] - shift);
    p_all += p;
    if (labels[i] == 1) p_true += p;
  }
  return p_true / p_all;
}

}  // namespace dlmeval
