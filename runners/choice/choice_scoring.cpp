#include "runners/choice/choice_scoring.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <string>

#include "harness/core/error.h"
#include "runners/choice/ar_loglik.h"
#include "runners/choice/log_prob_batch.h"
#include "runners/choice/mask_counts.h"
#include "runners/model.h"
#include "runners/request_limits.h"

namespace dlmeval {
namespace {

// One log-probability's share of an estimate: value = sum over terms of coef * log p.
struct Term {
  size_t query;
  double coef;
  int64_t row;  // Monte-Carlo row (global index); groups are rows / rows_per_group
};

struct ContinuationPlan {
  std::vector<Term> terms;
  int64_t groups = 1;
  int64_t rows_per_group = 1;
  bool stochastic = false;
};

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A generator for one (stream, group, row) cell. Seeding each cell on its own keeps common random
// numbers aligned across answers of different lengths: a row's draws never depend on how many
// numbers an earlier row consumed.
at::Generator cell_generator(uint64_t seed, uint64_t stream, uint64_t group, uint64_t row) {
  uint64_t s = splitmix64(seed);
  s = splitmix64(s ^ stream);
  s = splitmix64(s ^ group);
  s = splitmix64(s ^ row);
  return at::make_generator<at::CPUGeneratorImpl>(s);
}
constexpr uint64_t kGroupCell = std::numeric_limits<uint64_t>::max();

double uniform01(at::Generator& gen) { return torch::rand({1}, gen, torch::kFloat64).item<double>(); }

std::vector<double> uniform_keys(at::Generator& gen, int64_t n) {
  auto t = torch::rand({n}, gen, torch::kFloat64);
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + n);
}

// The `count` positions with the smallest keys: a uniformly random subset of that size.
std::vector<uint8_t> smallest_keys_mask(const std::vector<double>& keys, int64_t count) {
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<uint8_t> masked(keys.size(), 0);
  for (int64_t i = 0; i < count; ++i) masked[order[i]] = 1;
  return masked;
}

int64_t scaled_index(double u, int64_t n) { return std::min<int64_t>(n - 1, static_cast<int64_t>(u * n)); }

void add_masked_row(LogProbBatch& batch, ContinuationPlan& plan, const TokenIds& context, const TokenIds& answer,
                    const std::vector<uint8_t>& masked, double coef, int64_t row) {
  if (std::find(masked.begin(), masked.end(), 1) == masked.end()) return;  // contributes 0
  const size_t r = batch.add_row(context, answer, masked);
  for (size_t i = 0; i < answer.size(); ++i)
    if (masked[i]) plan.terms.push_back({batch.add_query(r, static_cast<int64_t>(i), answer[i]), coef, row});
}

// Monte-Carlo bounds: groups of `batch_size` stratified rows, each row a masked copy weighted by
// 1 / (its mask rate), exactly as the reference's loss / p_mask.
ContinuationPlan plan_monte_carlo(LogProbBatch& batch, const TokenIds& context, const TokenIds& answer,
                                  const ChoiceProtocol& p, uint64_t seed, uint64_t stream, int64_t eos_id) {
  ContinuationPlan plan;
  const auto L = static_cast<int64_t>(answer.size());
  const int64_t b = p.batch_size;
  TokenIds row_tokens = answer;
  if (p.eos_after_answer) row_tokens.push_back(eos_id);
  plan.stochastic = true;
  plan.rows_per_group = b;
  plan.groups = p.mc_num / b;
  for (int64_t g = 0; g < plan.groups; ++g) {
    auto group_gen = cell_generator(seed, stream, g, kGroupCell);
    const double u = uniform01(group_gen);
    std::vector<int64_t> counts;
    std::vector<double> rates;
    if (p.estimator == ChoiceEstimator::McElbo) {
      counts = official_mask_counts(1 + scaled_index(u, L), L, b);
    } else if (p.estimator == ChoiceEstimator::McElboUniform) {
      counts = uniform_mask_counts(scaled_index(u, L * b), L, b);
    } else {
      for (int64_t i = 0; i < b; ++i) {
        const double t = std::fmod(u + static_cast<double>(i) / static_cast<double>(b), 1.0);
        rates.push_back((1.0 - p.eps) * t + p.eps);
      }
    }
    for (int64_t i = 0; i < b; ++i) {
      auto row_gen = cell_generator(seed, stream, g, i);
      const auto keys = uniform_keys(row_gen, L);
      std::vector<uint8_t> masked;
      double coef;
      if (rates.empty()) {
        masked = smallest_keys_mask(keys, counts[i]);
        coef = static_cast<double>(L) / static_cast<double>(counts[i]);
      } else {
        masked.resize(L);
        for (int64_t j = 0; j < L; ++j) masked[j] = keys[j] < rates[i];
        coef = 1.0 / rates[i];
      }
      // The answer's own draws are unchanged; an EOS after it stays visible and is not scored.
      if (p.eos_after_answer) masked.push_back(0);
      add_masked_row(batch, plan, context, row_tokens, masked, coef, g * b + i);
    }
  }
  return plan;
}

double binomial(int64_t n, int64_t k) {
  double c = 1;
  for (int64_t i = 1; i <= k; ++i) c = c * static_cast<double>(n - k + i) / static_cast<double>(i);
  return c;
}

void check_exact_length(int64_t L, const std::string& where) {
  if (L > kExactElboMaxTokens)
    throw UserError(where + ": exact_elbo enumerates all 2^L - 1 masked copies and is limited to answers of " +
                    std::to_string(kExactElboMaxTokens) + " tokens; this answer has " + std::to_string(L) +
                    " (use mc_elbo or mc_elbo_uniform)");
}

// Every non-empty subset S; a term of subset S with |S| = k weighs 1 / (k * C(L, k)), so the sum
// is (1/L) sum_k (L/k) mean_{|S|=k} sum_{i in S} log p_i. `per_k` (optional) gets one plan per k
// with weight 1 / C(L, k) * L / k instead (f_k of the README).
ContinuationPlan plan_exact(LogProbBatch& batch, const TokenIds& context, const TokenIds& answer,
                            std::vector<ContinuationPlan>* per_k = nullptr) {
  const auto L = static_cast<int64_t>(answer.size());
  ContinuationPlan plan;
  if (per_k) per_k->assign(L, {});
  for (uint32_t subset = 1; subset < (1u << L); ++subset) {
    std::vector<uint8_t> masked(L);
    for (int64_t i = 0; i < L; ++i) masked[i] = (subset >> i) & 1u;
    const auto k = static_cast<int64_t>(std::popcount(subset));
    const size_t r = batch.add_row(context, answer, masked);
    for (int64_t i = 0; i < L; ++i) {
      if (!masked[i]) continue;
      const size_t q = batch.add_query(r, i, answer[i]);
      plan.terms.push_back({q, 1.0 / (static_cast<double>(k) * binomial(L, k)), 0});
      if (per_k) (*per_k)[k - 1].terms.push_back({q, static_cast<double>(L) / (k * binomial(L, k)), 0});
    }
  }
  return plan;
}

ContinuationPlan plan_conf_single(LogProbBatch& batch, const TokenIds& context, const TokenIds& answer) {
  ContinuationPlan plan;
  const auto L = static_cast<int64_t>(answer.size());
  const size_t r = batch.add_row(context, answer, std::vector<uint8_t>(L, 1));
  for (int64_t i = 0; i < L; ++i) plan.terms.push_back({batch.add_query(r, i, answer[i]), 1.0 / L, 0});
  return plan;
}

struct Estimate {
  double loglik = 0, stderr_of_loglik = 0;
  std::vector<double> samples;
};

double standard_error(const std::vector<double>& v) {
  if (v.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
}

Estimate finish(const ContinuationPlan& plan, const std::vector<double>& values) {
  std::vector<double> rows(plan.groups * plan.rows_per_group, 0.0);
  for (const Term& t : plan.terms) rows[t.row] += t.coef * values[t.query];
  Estimate e;
  e.samples.assign(plan.groups, 0.0);
  for (int64_t g = 0; g < plan.groups; ++g) {
    for (int64_t i = 0; i < plan.rows_per_group; ++i) e.samples[g] += rows[g * plan.rows_per_group + i];
    e.samples[g] /= static_cast<double>(plan.rows_per_group);
  }
  e.loglik = std::accumulate(e.samples.begin(), e.samples.end(), 0.0) / static_cast<double>(plan.groups);
  if (!plan.stochastic) e.stderr_of_loglik = 0;
  // Groups are independent; a lone group's stratified rows are treated as independent (an upper
  // bound on the spread, since stratification only lowers it).
  else e.stderr_of_loglik = standard_error(plan.groups >= 2 ? e.samples : rows);
  return e;
}

int64_t longest_row(const ChoiceRequest& r) {
  size_t longest = 0;
  for (size_t c = 0; c < r.continuations.size(); ++c)
    longest = std::max(longest, r.contexts[r.contexts.size() == 1 ? 0 : c].size() + r.continuations[c].size());
  return static_cast<int64_t>(longest);
}

void validate(const LoadedModel& model, const ChoiceRequest& r, const std::string& where) {
  if (r.continuations.empty()) throw UserError(where + ": no continuations");
  if (r.contexts.size() != 1 && r.contexts.size() != r.continuations.size())
    throw UserError(where + ": needs one shared context or one per continuation, got " +
                    std::to_string(r.contexts.size()) + " contexts for " + std::to_string(r.continuations.size()) +
                    " continuations");
  if (parse_choice_protocol(r.protocol).estimator == ChoiceEstimator::ArLoglik)
    throw UserError(where + ": estimator 'ar_loglik' needs an autoregressive model; " + model.config.architecture_name +
                    " is a diffusion model");
  if (model.ids.mask_id < 0) throw UserError(model.dir + ": the checkpoint has no mask token id (use --mask-id)");
  auto check = [&](const TokenIds& ids, const std::string& what) {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] < 0 || ids[i] >= model.config.vocab_size)
        throw UserError(where + ": " + what + " token " + std::to_string(i) + " is " + std::to_string(ids[i]) +
                        ", outside the vocabulary [0, " + std::to_string(model.config.vocab_size) + ")");
      if (ids[i] == model.ids.mask_id)
        throw UserError(where + ": " + what + " token " + std::to_string(i) + " is the mask id " +
                        std::to_string(ids[i]));
    }
  };
  for (size_t c = 0; c < r.contexts.size(); ++c) check(r.contexts[c], "context " + std::to_string(c));
  for (size_t c = 0; c < r.continuations.size(); ++c) {
    if (r.continuations[c].empty()) throw UserError(where + ": continuation " + std::to_string(c) + " is empty");
    check(r.continuations[c], "continuation " + std::to_string(c));
  }
  check_scoring_length(longest_row(r), model.config.max_sequence_length, where);
}

// Groups of continuation indices that share forwards.
std::vector<std::vector<size_t>> forward_groups(size_t n, const ScoringOptions& options) {
  std::vector<std::vector<size_t>> groups;
  if (options.batch_continuations) {
    groups.emplace_back(n);
    std::iota(groups.back().begin(), groups.back().end(), 0);
  } else {
    for (size_t c = 0; c < n; ++c) groups.push_back({c});
  }
  return groups;
}

// Teacher-forced decoding in the model's confidence order: each step commits the masked position
// whose gold token the model finds most likely (lowest index on ties) and adds its log-probability.
void score_conf_greedy(const HiddenStateModel& net, const ChoiceRequest& r, const ChoiceProtocol& p,
                       const ScoringOptions& options, ChoiceResult& out) {
  for (const auto& group : forward_groups(r.continuations.size(), options)) {
    std::vector<std::vector<uint8_t>> masked;
    for (size_t c : group) masked.emplace_back(r.continuations[c].size(), 1);
    for (bool active = true; active;) {
      active = false;
      LogProbBatch batch(net, p.cfg_scale, options);
      std::vector<std::vector<std::pair<int64_t, size_t>>> queries(group.size());  // (position, query)
      for (size_t g = 0; g < group.size(); ++g) {
        const auto& answer = r.continuations[group[g]];
        if (std::find(masked[g].begin(), masked[g].end(), 1) == masked[g].end()) continue;
        active = true;
        const size_t row = batch.add_row(r.contexts.size() == 1 ? r.contexts[0] : r.contexts[group[g]], answer, masked[g]);
        for (size_t i = 0; i < answer.size(); ++i)
          if (masked[g][i]) queries[g].emplace_back(i, batch.add_query(row, static_cast<int64_t>(i), answer[i]));
      }
      if (!active) break;
      batch.run();
      out.forward_passes += batch.forward_passes();
      for (size_t g = 0; g < group.size(); ++g) {
        if (queries[g].empty()) continue;
        auto best = queries[g].front();
        for (const auto& q : queries[g])
          if (batch.values()[q.second] > batch.values()[best.second]) best = q;
        out.loglik[group[g]] += batch.values()[best.second];
        masked[g][best.first] = 0;
      }
    }
  }
}

// One masked slot after the shared context; every continuation is one token read from it.
void score_letter(const HiddenStateModel& net, const ChoiceRequest& r, const ChoiceProtocol& p,
                  const ScoringOptions& options, const std::string& where, ChoiceResult& out) {
  if (r.contexts.size() != 1) throw UserError(where + ": estimator 'letter' needs one shared context");
  for (size_t c = 0; c < r.continuations.size(); ++c)
    if (r.continuations[c].size() != 1)
      throw UserError(where + ": estimator 'letter' needs one-token continuations; continuation " +
                      std::to_string(c) + " has " + std::to_string(r.continuations[c].size()));
  LogProbBatch batch(net, p.cfg_scale, options);
  const size_t row = batch.add_row(r.contexts[0], r.continuations[0], {1});
  std::vector<size_t> queries;
  for (const auto& cont : r.continuations) queries.push_back(batch.add_query(row, 0, cont[0]));
  batch.run();
  out.forward_passes += batch.forward_passes();
  for (size_t c = 0; c < queries.size(); ++c) out.loglik[c] = batch.values()[queries[c]];
}

// Monte-Carlo bounds, exact_elbo and conf_single: plans first, then one run per forward group.
std::vector<Estimate> estimate_continuations(const HiddenStateModel& net, const ChoiceRequest& r, const ChoiceProtocol& p,
                                             const ScoringOptions& options, const std::string& where,
                                             int64_t& forward_passes) {
  std::vector<Estimate> estimates(r.continuations.size());
  const int64_t eos_id = net.model().ids.eos_id;
  if (p.eos_after_answer && eos_id < 0)
    throw UserError(where + ": the protocol sets eos_after_answer, but the checkpoint names no EOS token");
  for (const auto& group : forward_groups(r.continuations.size(), options)) {
    LogProbBatch batch(net, p.cfg_scale, options);
    std::vector<ContinuationPlan> plans;
    for (size_t c : group) {
      const TokenIds& context = r.contexts.size() == 1 ? r.contexts[0] : r.contexts[c];
      const TokenIds& answer = r.continuations[c];
      switch (p.estimator) {
        case ChoiceEstimator::ExactElbo:
          check_exact_length(static_cast<int64_t>(answer.size()), where + " continuation " + std::to_string(c));
          plans.push_back(plan_exact(batch, context, answer));
          break;
        case ChoiceEstimator::ConfSingle: plans.push_back(plan_conf_single(batch, context, answer)); break;
        default: plans.push_back(plan_monte_carlo(batch, context, answer, p, r.seed, p.crn ? 0 : c + 1, eos_id));
      }
    }
    batch.run();
    forward_passes += batch.forward_passes();
    for (size_t g = 0; g < group.size(); ++g) estimates[group[g]] = finish(plans[g], batch.values());
  }
  return estimates;
}

ChoiceResult score_request(const HiddenStateModel& net, const ChoiceRequest& r, const ScoringOptions& options,
                           const std::string& where, std::vector<Estimate>* estimates = nullptr) {
  const ChoiceProtocol p = parse_choice_protocol(r.protocol);
  const size_t n = r.continuations.size();
  ChoiceResult out;
  out.loglik.assign(n, 0.0);
  out.stderr_of_loglik.assign(n, 0.0);
  if (p.estimator == ChoiceEstimator::ConfGreedy) {
    score_conf_greedy(net, r, p, options, out);
  } else if (p.estimator == ChoiceEstimator::Letter) {
    score_letter(net, r, p, options, where, out);
  } else {
    auto e = estimate_continuations(net, r, p, options, where, out.forward_passes);
    for (size_t c = 0; c < n; ++c) {
      out.loglik[c] = e[c].loglik;
      out.stderr_of_loglik[c] = e[c].stderr_of_loglik;
    }
    if (estimates) *estimates = std::move(e);
  }
  return out;
}

// Every request's ids, length and memory, before any model work.
void check_requests(const LoadedModel& model, const std::vector<ChoiceRequest>& requests,
                    const std::function<std::string(size_t)>& where) {
  int64_t longest = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    validate(model, requests[i], where(i));
    longest = std::max(longest, longest_row(requests[i]));
  }
  if (!requests.empty()) check_choice_memory(model, longest);
}

std::string request_name(size_t i) { return "choice request " + std::to_string(i); }

}  // namespace

std::vector<ChoiceResult> score_choice_requests(const LoadedModel& model, const std::vector<ChoiceRequest>& requests,
                                                const ScoringOptions& options) {
  if (model.config.causal) return score_autoregressive_choices(model, requests);
  const HiddenStateModel net(model);
  std::vector<ChoiceResult> results;
  results.reserve(requests.size());
  check_requests(model, requests, request_name);
  for (size_t i = 0; i < requests.size(); ++i) {
    ChoiceResult result;
    const ModelCost spent =
        work_during(*model.net, [&] { result = score_request(net, requests[i], options, request_name(i)); });
    result.cost = spent;
    results.push_back(std::move(result));
  }
  return results;
}

PairEstimate estimate_pair(const LoadedModel& model, const TokenIds& prompt, const TokenIds& answer,
                           const Json& protocol, uint64_t seed, const ScoringOptions& options) {
  const HiddenStateModel net(model);
  const ChoiceRequest request{{prompt}, {answer}, protocol, seed};
  check_requests(model, {request}, [](size_t) { return std::string("pair"); });
  std::vector<Estimate> estimates;
  const ChoiceResult r = score_request(net, request, options, "pair", &estimates);
  PairEstimate out;
  out.loglik = r.loglik[0];
  out.stderr_of_loglik = r.stderr_of_loglik[0];
  out.forward_passes = r.forward_passes;
  out.samples = estimates.empty() ? std::vector<double>{out.loglik} : estimates[0].samples;
  return out;
}

std::vector<double> exact_weighted_loss_per_k(const LoadedModel& model, const TokenIds& prompt, const TokenIds& answer,
                                              double cfg_scale) {
  validate(model, ChoiceRequest{{prompt}, {answer}, Json::object(), 0}, "pair");
  check_exact_length(static_cast<int64_t>(answer.size()), "pair");
  const HiddenStateModel net(model);
  LogProbBatch batch(net, cfg_scale, ScoringOptions{});
  std::vector<ContinuationPlan> per_k;
  plan_exact(batch, prompt, answer, &per_k);
  batch.run();
  std::vector<double> f;
  for (const auto& plan : per_k) f.push_back(-finish(plan, batch.values()).loglik);
  return f;
}

}  // namespace dlmeval
