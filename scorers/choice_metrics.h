#pragma once
// Metrics for multiple-choice tasks scored by log-likelihood, matching lm-evaluation-harness:
//  * acc:      the choice with the highest total log-likelihood is the prediction;
//  * acc_norm: the same after dividing each log-likelihood by the continuation's UTF-8 byte length
//              (lm-eval divides by len(continuation.encode("utf-8")));
//  * TruthfulQA mc2: probability mass of the true answers among all answers.
#include <cstddef>
#include <string>
#include <vector>

namespace dlmeval {

// Index of the largest value; the first one wins ties (as numpy.argmax). Throws
// std::invalid_argument on an empty vector.
size_t argmax_choice(const std::vector<double>& loglik);

// 1.0 when argmax_choice(loglik) == gold, else 0.0.
double choice_acc(const std::vector<double>& loglik, size_t gold);

// loglik[i] / bytes(continuations[i]) for each choice (a zero-length continuation keeps its raw
// log-likelihood). Sizes must agree (std::invalid_argument otherwise).
std::vector<double> length_normalized_loglik(const std::vector<double>& loglik,
                                             const std::vector<std::string>& continuations);

// 1.0 when the byte-length-normalised argmax equals gold, else 0.0.
double choice_acc_norm(const std::vector<double>& loglik, const std::vector<std::string>& continuations,
                       size_t gold);

// TruthfulQA MC2 (lm-eval's process_results_mc2): p_true / (p_true + p_false), where p sums
// exp(loglik) over the true (label 1) and false (label 0) answers. lm-eval splits the answers at
// the first label 0, which presumes the dataset's true-first order; here labels must be 0/1 and
// in that order (some 1s, then some 0s), else std::invalid_argument, so a reordered list cannot be
// scored silently wrong. A shared max shift keeps very negative log-likelihoods from underflowing.
double truthfulqa_mc2(const std::vector<double>& loglik, const std::vector<int>& labels);

}  // namespace dlmeval
