// Behaviour of score_choice_requests: determinism, independence from batch layout, common random
// numbers, the confidence scores against a direct computation on full logits, and bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "choice_test_util.h"
#include "harness/core/error.h"
#include "harness/core/harness_protocol_fields.h"
#include "runners/choice/choice_scoring.h"

using namespace dlmeval;

namespace {

const TokenIds kPrompt{1018, 655, 224, 627, 26, 301, 95};

ChoiceRequest four_choices(const Json& protocol, uint64_t seed) {
  // Lengths 3, 1, 6, 3: padding, a one-token answer and two equal lengths in one question.
  return ChoiceRequest{{kPrompt}, {{747, 766, 12}, {88}, {5, 6, 7, 8, 9, 10}, {400, 401, 402}}, protocol, seed};
}

// Log-probabilities from the full-vocabulary forward, shifted for Dream: the direct route.
torch::Tensor full_log_probs(const LoadedModel& model, const TokenIds& ids) {
  torch::NoGradGuard no_grad;
  auto logits = model.net->forward(torch::tensor(ids).view({1, -1}), std::nullopt);
  if (model.config.shifted_logits)
    logits = torch::cat({logits.narrow(1, 0, 1), logits.narrow(1, 0, logits.size(1) - 1)}, 1);
  return torch::log_softmax(logits[0], -1).to(torch::kFloat64);
}

TEST(ChoiceScoring, SameSeedSameEstimateOtherSeedOther) {
  const auto& model = test::cached_model("llada-tiny");
  for (const char* estimator : {"mc_elbo", "mc_elbo_uniform", "dream_elbo"}) {
    const Json protocol{{"estimator", estimator}, {"mc_num", 32}, {"batch_size", 8}};
    const auto a = score_choice_requests(model, {four_choices(protocol, 7)})[0];
    const auto b = score_choice_requests(model, {four_choices(protocol, 7)})[0];
    const auto c = score_choice_requests(model, {four_choices(protocol, 8)})[0];
    EXPECT_EQ(a.loglik, b.loglik) << estimator;
    EXPECT_EQ(a.stderr_of_loglik, b.stderr_of_loglik) << estimator;
    EXPECT_NE(a.loglik[0], c.loglik[0]) << estimator;
    // A one-token answer under mc_elbo has a single possible masked copy: no noise at all.
    if (std::string(estimator) == "mc_elbo") {
      EXPECT_EQ(a.stderr_of_loglik[1], 0.0);
    }
  }
}

TEST(ChoiceScoring, RequestScoredAloneOrWithOthersGivesIdenticalNumbers) {
  const auto& model = test::cached_model("llada-tiny");
  for (const char* estimator : {"mc_elbo", "exact_elbo", "conf_single", "conf_greedy"}) {
    const Json protocol = std::string(estimator).rfind("mc", 0) == 0
                              ? Json{{"estimator", estimator}, {"mc_num", 32}, {"cfg_scale", 0.5}}
                              : Json{{"estimator", estimator}, {"cfg_scale", 0.5}};
    const ChoiceRequest target = four_choices(protocol, 3);
    const ChoiceRequest other{{{1018, 9, 9}}, {{1, 2}, {3}}, protocol, 3};
    const auto alone = score_choice_requests(model, {target})[0];
    const auto together = score_choice_requests(model, {other, target, other})[1];
    EXPECT_EQ(alone.loglik, together.loglik) << estimator;
    EXPECT_EQ(alone.stderr_of_loglik, together.stderr_of_loglik) << estimator;
    EXPECT_EQ(alone.forward_passes, together.forward_passes) << estimator;
  }
}

TEST(ChoiceScoring, BatchedContinuationsEqualOneAtATimeWithoutSharing) {
  ScoringOptions naive;
  naive.batch_continuations = false;
  naive.share_identical_rows = false;
  naive.max_rows_per_forward = 16;
  ScoringOptions tight;  // tiny forwards: many chunks, different padding
  tight.max_tokens_per_forward = 40;
  for (const char* name : {"llada-tiny", "dream-tiny"}) {
    const auto& model = test::cached_model(name);
    for (const char* estimator : {"mc_elbo", "dream_elbo", "exact_elbo", "conf_single", "conf_greedy"}) {
      const bool mc = std::string(estimator) == "mc_elbo" || std::string(estimator) == "dream_elbo";
      Json protocol = mc ? Json{{"estimator", estimator}, {"mc_num", 32}} : Json{{"estimator", estimator}};
      protocol["cfg_scale"] = std::string(name) == "llada-tiny" ? 0.5 : 0.0;
      const ChoiceRequest r = four_choices(protocol, 11);
      const auto batched = score_choice_requests(model, {r})[0];
      const auto single = score_choice_requests(model, {r}, naive)[0];
      const auto chunked = score_choice_requests(model, {r}, tight)[0];
      for (size_t c = 0; c < 4; ++c) {
        EXPECT_NEAR(batched.loglik[c], single.loglik[c], 2e-5 * std::abs(single.loglik[c])) << name << estimator << c;
        EXPECT_NEAR(chunked.loglik[c], single.loglik[c], 2e-5 * std::abs(single.loglik[c])) << name << estimator << c;
      }
      EXPECT_LT(batched.forward_passes, single.forward_passes) << name << estimator;
    }
  }
}

TEST(ChoiceScoring, ConfidenceScoresMatchDirectComputationOnFullLogits) {
  for (const char* name : {"llada-tiny", "dream-tiny"}) {
    const auto& model = test::cached_model(name);
    const int64_t mask = model.ids.mask_id;
    const TokenIds answer{747, 766, 12, 400};
    const auto P = static_cast<int64_t>(kPrompt.size());
    const ChoiceRequest single{{kPrompt}, {answer}, {{"estimator", "conf_single"}}, 0};
    const ChoiceRequest greedy{{kPrompt}, {answer}, {{"estimator", "conf_greedy"}}, 0};

    TokenIds ids = kPrompt;
    ids.insert(ids.end(), answer.size(), mask);
    auto lp = full_log_probs(model, ids);
    double mean = 0;
    for (size_t i = 0; i < answer.size(); ++i) mean += lp[P + i][answer[i]].item<double>() / answer.size();
    EXPECT_NEAR(score_choice_requests(model, {single})[0].loglik[0], mean, 1e-4) << name;

    // Reveal, one by one, the masked position whose gold token is most likely.
    double sum = 0;
    std::vector<bool> open(answer.size(), true);
    for (size_t step = 0; step < answer.size(); ++step) {
      lp = full_log_probs(model, ids);
      int best = -1;
      for (size_t i = 0; i < answer.size(); ++i)
        if (open[i] && (best < 0 || lp[P + i][answer[i]].item<double>() > lp[P + best][answer[best]].item<double>()))
          best = static_cast<int>(i);
      sum += lp[P + best][answer[best]].item<double>();
      open[best] = false;
      ids[P + best] = answer[best];
    }
    const auto g = score_choice_requests(model, {greedy})[0];
    EXPECT_NEAR(g.loglik[0], sum, 1e-4) << name;
    EXPECT_EQ(g.forward_passes, static_cast<int64_t>(answer.size())) << name;
  }
}

TEST(ChoiceScoring, DreamEosAfterAnswerIsSeenAndNeverScored) {
  // At a mask rate of almost 1 every answer position is masked in every row, so dream_elbo is the
  // sum of the answer's log-probabilities with the whole answer masked (over the rate): with
  // eos_after_answer, read with Dream's visible EOS after the masked answer, as eval.py scores it.
  const auto& model = test::cached_model("dream-tiny");
  const double eps = 0.9999999;
  const TokenIds answer{747, 766, 12};
  for (const bool eos : {false, true}) {
    const Json protocol{{"estimator", "dream_elbo"}, {"mc_num", 4}, {"batch_size", 2}, {"eps", eps}, {"eos_after_answer", eos}};
    const auto got = score_choice_requests(model, {ChoiceRequest{{kPrompt}, {answer}, protocol, 3}})[0];
    TokenIds ids = kPrompt;
    ids.insert(ids.end(), answer.size(), model.ids.mask_id);
    if (eos) ids.push_back(model.ids.eos_id);
    const auto lp = full_log_probs(model, ids);
    double want = 0;
    for (size_t i = 0; i < answer.size(); ++i)
      want += lp[static_cast<int64_t>(kPrompt.size() + i)][answer[i]].item<double>();
    // Every row has the same rate within (1 - eps), so the mean of loss / rate is the sum over it.
    EXPECT_NEAR(got.loglik[0], want, 1e-5 * std::abs(want)) << "eos_after_answer " << eos;
  }
  const Json with{{"estimator", "dream_elbo"}, {"mc_num", 4}, {"batch_size", 2}, {"eps", eps}, {"eos_after_answer", true}};
  const Json without{{"estimator", "dream_elbo"}, {"mc_num", 4}, {"batch_size", 2}, {"eps", eps}};
  EXPECT_NE(score_choice_requests(model, {ChoiceRequest{{kPrompt}, {answer}, with, 3}})[0].loglik[0],
            score_choice_requests(model, {ChoiceRequest{{kPrompt}, {answer}, without, 3}})[0].loglik[0]);
}

TEST(ChoiceScoring, LetterScoresEveryChoiceFromOneForward) {
  const auto& model = test::cached_model("llada-tiny");
  const ChoiceRequest letters{{kPrompt}, {{32}, {33}, {34}, {35}}, {{"estimator", "letter"}}, 0};
  const auto letter = score_choice_requests(model, {letters})[0];
  EXPECT_EQ(letter.forward_passes, 1);
  ChoiceRequest same = letters;
  same.protocol = {{"estimator", "conf_single"}};
  ScoringOptions naive;
  naive.batch_continuations = false;
  naive.share_identical_rows = false;
  const auto single = score_choice_requests(model, {same}, naive)[0];
  EXPECT_EQ(single.forward_passes, 4);
  for (size_t c = 0; c < 4; ++c) EXPECT_NEAR(letter.loglik[c], single.loglik[c], 1e-5);
  EXPECT_NE(letter.loglik[0], letter.loglik[1]);

  ChoiceRequest long_choice = letters;
  long_choice.continuations[2] = {34, 35};
  EXPECT_THROW(score_choice_requests(model, {long_choice}), UserError);
}

TEST(ChoiceScoring, CommonRandomNumbersLowerTheVarianceOfTheDifference) {
  const auto& model = test::cached_model("llada-tiny");
  // Identical continuations under CRN get identical masks, hence identical estimates.
  const ChoiceRequest twins{{kPrompt}, {{747, 766, 12, 5}, {747, 766, 12, 5}},
                            {{"estimator", "mc_elbo"}, {"mc_num", 16}, {"crn", true}}, 5};
  const auto t = score_choice_requests(model, {twins})[0];
  EXPECT_EQ(t.loglik[0], t.loglik[1]);
  ChoiceRequest independent = twins;
  independent.protocol["crn"] = false;
  const auto i = score_choice_requests(model, {independent})[0];
  EXPECT_NE(i.loglik[0], i.loglik[1]);

  // Two 8-token answers that differ in their last token: the variance over seeds of the difference
  // of their estimates. (CRN is not a guarantee: when the choices' losses move in opposite
  // directions across masks it can raise this variance; answers sharing most tokens are the case
  // it is for, and there the reduction is large: ratio ~0.1 on this model.)
  const TokenIds a{747, 766, 12, 5, 301, 95, 640, 17};
  TokenIds b = a;
  b.back() = 18;
  const int seeds = 30;
  double var[2] = {0, 0};
  for (int crn = 0; crn < 2; ++crn) {
    std::vector<double> diffs;
    for (int s = 0; s < seeds; ++s) {
      const ChoiceRequest r{{kPrompt}, {a, b}, {{"estimator", "mc_elbo"}, {"mc_num", 16}, {"crn", crn == 1}},
                            static_cast<uint64_t>(s)};
      const auto res = score_choice_requests(model, {r})[0];
      diffs.push_back(res.loglik[0] - res.loglik[1]);
    }
    double mean = 0;
    for (double d : diffs) mean += d / seeds;
    for (double d : diffs) var[crn] += (d - mean) * (d - mean) / (seeds - 1);
  }
  std::printf("[ CRN ] variance of the difference over %d seeds: independent %.4f, crn %.4f (ratio %.3f)\n", seeds,
              var[0], var[1], var[1] / var[0]);
  EXPECT_LT(var[1], 0.5 * var[0]);
}

TEST(ChoiceScoring, BadInputIsAUserErrorNamingTheProblem) {
  const auto& model = test::cached_model("llada-tiny");
  auto message = [&](const ChoiceRequest& r) {
    try {
      score_choice_requests(model, {r});
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const TokenIds long_answer(13, 5);
  EXPECT_NE(message({{kPrompt}, {long_answer}, {{"estimator", "exact_elbo"}}, 0}).find("limited to answers of 12"),
            std::string::npos);
  EXPECT_NE(message({{kPrompt}, {{5, 5000}}, {}, 0}).find("continuation 0 token 1 is 5000"), std::string::npos);
  EXPECT_NE(message({{kPrompt}, {{5, 1023}}, {}, 0}).find("mask id"), std::string::npos);
  EXPECT_NE(message({{kPrompt}, {{}}, {}, 0}).find("empty"), std::string::npos);
  EXPECT_NE(message({{kPrompt, kPrompt}, {{5}, {6}, {7}}, {}, 0}).find("2 contexts for 3"), std::string::npos);
  EXPECT_NE(message({{kPrompt}, {{5}}, {{"estimator", "mc_elbo"}, {"mc_sum", 3}}, 0}).find("'mc_sum' is unknown"),
            std::string::npos);
}

TEST(ChoiceProtocol, NormalizationFillsDefaultsAndRejectsWhatDoesNotApply) {
  EXPECT_EQ(normalize_choice_protocol(Json::object()),
            (Json{{"estimator", "mc_elbo"}, {"mc_num", 128}, {"batch_size", 16}, {"cfg_scale", 0.0}, {"crn", false}}));
  EXPECT_EQ(normalize_choice_protocol({{"estimator", "dream_elbo"}, {"mc_num", 8}}),
            (Json{{"estimator", "dream_elbo"}, {"mc_num", 8}, {"batch_size", 8}, {"cfg_scale", 0.0}, {"crn", false},
                  {"eps", 1e-3}, {"eos_after_answer", false}}));
  EXPECT_EQ(normalize_choice_protocol({{"estimator", "conf_greedy"}, {"name", "x"}}),
            (Json{{"estimator", "conf_greedy"}, {"cfg_scale", 0.0}, {"name", "x"}}));
  const Json normalized = normalize_choice_protocol({{"estimator", "mc_elbo_uniform"}, {"crn", true}});
  EXPECT_EQ(normalize_choice_protocol(normalized), normalized);

  auto message = [](const Json& p) {
    try {
      normalize_choice_protocol(p);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"estimator", "mc_elb"}}).find("'estimator': unknown value 'mc_elb'"), std::string::npos);
  EXPECT_NE(message({{"estimator", "conf_single"}, {"mc_num", 4}}).find("'mc_num' does not apply"), std::string::npos);
  EXPECT_NE(message({{"estimator", "mc_elbo"}, {"eps", 0.1}}).find("'eps' does not apply"), std::string::npos);
  EXPECT_NE(message({{"mc_num", 20}, {"batch_size", 16}}).find("multiple of 'batch_size'"), std::string::npos);
  EXPECT_NE(message({{"mc_num", 0}}).find("'mc_num' must be a positive integer"), std::string::npos);
  EXPECT_NE(message({{"cfg_scale", -1}}).find("'cfg_scale'"), std::string::npos);
  EXPECT_NE(message({{"crn", 1}}).find("'crn' must be true or false"), std::string::npos);
  EXPECT_NE(message({{"temperature", 1}}).find("'temperature' is unknown"), std::string::npos);
  EXPECT_NE(message(Json::array()).find("must be a JSON object"), std::string::npos);
}

}  // namespace

namespace {

TEST(ChoiceProtocol, EveryPresetIsAlreadyNormalised) {
  size_t seen = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(DLMEVAL_SOURCE_DIR) + "/presets/protocols/choice")) {
    Json preset = read_json_file(entry.path().string());
    // The harness's own fields are set aside before the runner's rules see a protocol.
    for (const auto& harness_field : harness_protocol_fields()) preset.erase(harness_field);
    EXPECT_EQ(normalize_choice_protocol(preset), preset) << entry.path();
    ++seen;
  }
  EXPECT_GE(seen, 7u);
}

}  // namespace
