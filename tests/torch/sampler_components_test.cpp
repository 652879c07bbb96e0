// The pieces a sampler is composed of, each alone: transfer schedules, commit policies,
// confidence rules and proposals, and the protocol's defaults and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <limits>

#include "harness/core/error.h"
#include "harness/core/harness_protocol_fields.h"
#include "runners/samplers/commit.h"
#include "runners/samplers/generation_protocol.h"
#include "runners/samplers/proposals.h"
#include "runners/samplers/schedule.h"
#include "sampler_test_util.h"

using namespace dlmeval;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<int64_t> as_vector(const torch::Tensor& t) {
  auto c = t.to(torch::kLong).contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

TEST(LladaSchedule, SpreadsMasksEvenlyWithTheRemainderFirst) {
  auto block = torch::zeros({2, 20}, torch::kBool);
  block[0].fill_(true);                         // 20 masks over 7 steps
  block[1].narrow(0, 0, 5).fill_(true);         // 5 masks over 7 steps
  auto counts = llada_transfer_counts(block, 7);
  EXPECT_EQ(as_vector(counts[0]), (std::vector<int64_t>{3, 3, 3, 3, 3, 3, 2}));
  EXPECT_EQ(as_vector(counts[1]), (std::vector<int64_t>{1, 1, 1, 1, 1, 0, 0}));
}

std::vector<int64_t> dream_counts(int64_t masks, int64_t steps) {
  auto ts = dream_timesteps(steps, 1e-3);
  std::vector<int64_t> out;
  for (int64_t i = 0; i < steps; ++i) {
    out.push_back(dream_transfer_count(masks, 1, ts, i));
    masks -= out.back();
  }
  return out;
}

TEST(DreamSchedule, TruncatesInFloat32AsTheReference) {
  EXPECT_EQ(dream_counts(16, 8), (std::vector<int64_t>{1, 2, 2, 2, 2, 2, 2, 3}));
  EXPECT_EQ(dream_counts(16, 4), (std::vector<int64_t>{3, 4, 4, 5}));
  EXPECT_EQ(dream_transfer_probability(dream_timesteps(4, 1e-3), 3), 1.0f);
}

// The fixed schedule differs from whatever linspace this LibTorch computes only in the last bits of
// the float32 values (both round the same real numbers; 2^-23 is one ulp of 1.0), for every length
// a protocol can ask for.
TEST(DreamSchedule, StartsAtOneDecreasesAndDiffersFromThisLibTorchsLinspaceOnlyInTheLastBits) {
  double largest = 0;
  for (double eps : {1e-3, 1e-2, 0.0}) {
    for (int64_t steps = 1; steps <= 1024; ++steps) {
      auto ours = dream_timesteps(steps, eps);
      auto theirs = torch::linspace(1.0, eps, steps + 1, torch::dtype(torch::kFloat32));
      ASSERT_EQ(ours.size(0), steps + 1);
      auto o = ours.accessor<float, 1>();
      ASSERT_EQ(o[0], 1.0f);
      for (int64_t i = 1; i <= steps; ++i) ASSERT_LT(o[i], o[i - 1]) << "steps " << steps << " point " << i;
      largest = std::max(largest, (ours - theirs).abs().max().item<double>());
    }
  }
  RecordProperty("largest_difference", std::to_string(largest));
  EXPECT_LE(largest, 2.0 * std::ldexp(1.0, -23));
}

TEST(DreamSchedule, CountsOfEveryGoldenStep) {
  const Json golden = read_json_file(test::expected("dream-tiny", "generate.json"));
  for (const auto& c : golden["cases"]) {
    if (c["args"]["alg"] == "origin") continue;
    auto ts = dream_timesteps(c["args"]["steps"].get<int64_t>(), c["args"]["eps"].get<double>());
    for (const auto& step : c["steps_trace"]) {
      int64_t total = 0;
      for (const auto& n : step["n_masked_per_row"]) total += n.get<int64_t>();
      const int64_t rows = static_cast<int64_t>(step["n_masked_per_row"].size());
      EXPECT_EQ(dream_transfer_count(total, rows, ts, step["i"].get<int64_t>()), step["k"].get<int64_t>())
          << c["name"] << " step " << step["i"];
    }
  }
}

TEST(CommitPolicy, FixedCountTakesTheMostConfidentPerRow) {
  auto conf = torch::tensor({0.1, 0.9, -kInf, 0.5, 0.7, 0.2, 0.3, -kInf}, torch::kFloat32).view({2, 4});
  auto transfer = commit_fixed_count(conf, torch::tensor({2, 1}, torch::kLong));
  EXPECT_EQ(as_vector(transfer[0]), (std::vector<int64_t>{0, 1, 0, 1}));
  EXPECT_EQ(as_vector(transfer[1]), (std::vector<int64_t>{1, 0, 0, 0}));
}

TEST(CommitPolicy, EqualCountsCommitEachRowsOwnMostConfident) {
  // Equal counts take one topk over the batch: each row must still get its own k best positions.
  auto gen = at::detail::createCPUGenerator(5);
  auto conf = torch::rand({6, 32}, gen, torch::kFloat32);
  conf.masked_fill_(torch::rand({6, 32}, gen) < 0.3, -kInf);
  const int64_t k = 3;
  auto transfer = commit_fixed_count(conf, torch::full({6}, k, torch::kLong));
  for (int64_t r = 0; r < 6; ++r) {
    std::vector<std::pair<float, int64_t>> row;
    for (int64_t j = 0; j < 32; ++j) row.emplace_back(conf[r][j].item<float>(), j);
    std::sort(row.begin(), row.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<int64_t> expected(32, 0);
    for (int64_t i = 0; i < k; ++i) expected[row[i].second] = 1;
    EXPECT_EQ(as_vector(transfer[r]), expected) << "row " << r;
  }
  EXPECT_EQ(commit_fixed_count(conf, torch::zeros({6}, torch::kLong)).sum().item<int64_t>(), 0);
}

TEST(CommitPolicy, ThresholdCommitsAllAboveAndAtLeastTheBest) {
  auto conf = torch::tensor({0.95, 0.5, -kInf, 0.92, 0.3, 0.4, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf},
                            torch::kFloat32).view({3, 4});
  auto transfer = commit_threshold(conf, 0.9);
  EXPECT_EQ(as_vector(transfer[0]), (std::vector<int64_t>{1, 0, 0, 1}));
  EXPECT_EQ(as_vector(transfer[1]), (std::vector<int64_t>{0, 1, 0, 0}));  // none above: the best only
  EXPECT_EQ(as_vector(transfer[2]), (std::vector<int64_t>{0, 0, 0, 0}));  // no candidate
}

TEST(ConfidenceRule, MarginAndNegativeEntropy) {
  auto probs = torch::tensor({0.5, 0.3, 0.2}, torch::kFloat32).view({1, 3});
  auto chosen = torch::tensor({0}, torch::kLong);
  EXPECT_NEAR(confidence_of(probs, chosen, ConfidenceRule::TopProbability).item<float>(), 0.5, 1e-7);
  EXPECT_NEAR(confidence_of(probs, chosen, ConfidenceRule::Margin).item<float>(), 0.2, 1e-6);
  const double h = 0.5 * std::log(0.5) + 0.3 * std::log(0.3) + 0.2 * std::log(0.2);
  EXPECT_NEAR(confidence_of(probs, chosen, ConfidenceRule::NegEntropy).item<float>(), h, 1e-6);
}

TEST(LladaProposal, ConfidenceEosEotInfAtTemperatureZeroAlsoRemovesEos) {
  auto gen = at::detail::createCPUGenerator(0);
  // Row 0 prefers EOS (id 3), row 1 prefers token 1; EOT is id 4.
  auto logits = torch::tensor({0.0, 1.0, 0.5, 5.0, 0.2, 0.0, 4.0, 0.5, 1.0, 3.0}, torch::kFloat32).view({2, 5});
  LladaProposalOptions o;
  o.confidence_eos_eot_inf = true;
  o.eos_id = 3;
  o.eot_id = 4;
  Proposal p = llada_proposal(logits.clone(), o, gen);
  EXPECT_EQ(as_vector(p.tokens), (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(p.confidence[0].item<float>(), 0.0f);  // its token left the softmax
  auto without = torch::tensor({0.0, 4.0, 0.5}, torch::kFloat32);
  EXPECT_NEAR(p.confidence[1].item<float>(), torch::softmax(without, 0)[1].item<float>(), 1e-6);
  // At temperature > 0 only EOT leaves the softmax (the noisy copy is a separate tensor).
  o.temperature = 0.5;
  auto strong = torch::tensor({0.0, 0.0, 0.0, 60.0, 0.0}, torch::kFloat32).view({1, 5});
  Proposal q = llada_proposal(strong.clone(), o, gen);
  EXPECT_EQ(q.tokens.item<int64_t>(), 3);
  EXPECT_GT(q.confidence.item<float>(), 0.99f);
}

TEST(LladaProposal, LogitsEosInfNeverProposesEos) {
  auto gen = at::detail::createCPUGenerator(0);
  auto logits = torch::tensor({0.0, 1.0, 9.0}, torch::kFloat32).view({1, 3});
  LladaProposalOptions o;
  o.logits_eos_inf = true;
  o.eos_id = 2;
  EXPECT_EQ(llada_proposal(logits.clone(), o, gen).tokens.item<int64_t>(), 1);
}

TEST(Gumbel, SameSeedSameDrawAndTemperatureZeroIsIdentity) {
  auto logits = torch::randn({4, 50});
  auto g1 = at::detail::createCPUGenerator(7), g2 = at::detail::createCPUGenerator(7), g3 = at::detail::createCPUGenerator(8);
  EXPECT_TRUE(torch::equal(gumbel_perturbed(logits, 1.0, g1), gumbel_perturbed(logits, 1.0, g2)));
  EXPECT_FALSE(torch::equal(gumbel_perturbed(logits, 1.0, g1), gumbel_perturbed(logits, 1.0, g3)));
  EXPECT_TRUE(gumbel_perturbed(logits, 0.0, g1).is_same(logits));
}

TEST(DreamFilters, TopPKeepsTheSmallestNucleusTopKTheKLargest) {
  const float lowest = std::numeric_limits<float>::lowest();
  auto logits = torch::log(torch::tensor({0.5, 0.3, 0.15, 0.05}, torch::kFloat32)).view({1, 4});
  auto p = top_p_filtered(logits, 0.7);  // 0.5 + 0.3 reaches 0.7: keep two
  EXPECT_NE(p[0][1].item<float>(), lowest);
  EXPECT_EQ(p[0][2].item<float>(), lowest);
  EXPECT_EQ(p[0][3].item<float>(), lowest);
  auto k = top_k_filtered(logits, 3);
  EXPECT_NE(k[0][2].item<float>(), lowest);
  EXPECT_EQ(k[0][3].item<float>(), lowest);
}

TEST(GenerationProtocol, NormalizedProtocolHasEveryDefault) {
  Json n = normalize_generation_protocol(Json::object());
  EXPECT_EQ(n["sampler"], "llada");
  EXPECT_EQ(n["steps"], 128);
  EXPECT_EQ(n["gen_length"], 128);
  EXPECT_EQ(n["block_length"], 128);
  EXPECT_EQ(n["remasking"], "low_confidence");
  EXPECT_TRUE(n["temperature"].is_number_float());
  EXPECT_TRUE(n["mask_id"].is_null());
  SpecialIds ids;
  ids.mask_id = 1023;
  ids.eos_id = 1019;
  Json with_ids = normalize_generation_protocol({{"temperature", 0}}, ids);
  EXPECT_EQ(with_ids["mask_id"], 1023);
  EXPECT_EQ(with_ids["eot_id"], -1);
  // 0 and 0.0 are one setting: same canonical JSON, same fingerprint.
  EXPECT_EQ(with_ids.dump(), normalize_generation_protocol({{"temperature", 0.0}}, ids).dump());
  EXPECT_EQ(normalize_generation_protocol({{"sampler", "llada_threshold"}})["threshold"], 0.9);
  EXPECT_TRUE(normalize_generation_protocol({{"sampler", "llada_dual_cache"}})["threshold"].is_null());
  Json dream = normalize_generation_protocol({{"sampler", "dream"}});
  EXPECT_EQ(dream["alg"], "origin");
  EXPECT_EQ(dream["steps"], 512);
  EXPECT_FALSE(dream.contains("gen_length"));
}

void expect_error_naming(const Json& protocol, const std::string& field) {
  try {
    normalize_generation_protocol(protocol);
    ADD_FAILURE() << "no error for " << protocol.dump();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("'" + field + "'"), std::string::npos) << e.what();
  }
}

TEST(GenerationProtocol, BadInputNamesTheField) {
  expect_error_naming({{"stepz", 3}}, "stepz");
  expect_error_naming({{"steps", 0}}, "steps");
  expect_error_naming({{"steps", 2.5}}, "steps");
  expect_error_naming({{"temperature", -1}}, "temperature");
  expect_error_naming({{"remasking", "lowest"}}, "remasking");
  expect_error_naming({{"sampler", "maskgit"}}, "sampler");
  expect_error_naming({{"alg", "entropy"}}, "alg");  // a Dream field in a LLaDA protocol
  expect_error_naming({{"threshold", 0.9}}, "threshold");  // the exact sampler has none
  expect_error_naming({{"gen_length", 30}, {"block_length", 8}}, "block_length");
  expect_error_naming({{"gen_length", 32}, {"block_length", 8}, {"steps", 6}}, "steps");
  expect_error_naming({{"sampler", "dream"}, {"top_p", 0}}, "top_p");
  expect_error_naming({{"sampler", "llada_threshold"}, {"threshold", 1.5}}, "threshold");
  expect_error_naming({{"logits_eos_inf", 1}}, "logits_eos_inf");
}

TEST(GenerationProtocol, StochasticProtocols) {
  SpecialIds ids;
  ids.mask_id = 5;
  EXPECT_FALSE(parse_generation_protocol(Json::object(), ids).stochastic());
  EXPECT_TRUE(parse_generation_protocol({{"temperature", 0.5}}, ids).stochastic());
  EXPECT_TRUE(parse_generation_protocol({{"remasking", "random"}}, ids).stochastic());
  EXPECT_TRUE(parse_generation_protocol({{"sampler", "dream"}}, ids).stochastic());
  EXPECT_FALSE(parse_generation_protocol({{"sampler", "dream"}, {"alg", "entropy"}}, ids).stochastic());
  EXPECT_THROW(parse_generation_protocol(Json::object(), SpecialIds{}), UserError);  // no mask id anywhere
}

TEST(GenerationProtocol, EveryPresetIsAValidProtocol) {
  int presets = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(DLMEVAL_SOURCE_DIR) + "/presets/protocols/generation")) {
    SCOPED_TRACE(entry.path().string());
    Json preset = read_json_file(entry.path().string());
    EXPECT_TRUE(preset.contains("name"));
    // The harness's own fields are set aside before the runner's rules see a protocol.
    for (const auto& harness_field : harness_protocol_fields()) preset.erase(harness_field);
    EXPECT_NO_THROW(normalize_generation_protocol(preset));
    ++presets;
  }
  EXPECT_GE(presets, 5);
}

}  // namespace
