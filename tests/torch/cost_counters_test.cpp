// The cost counters against values computed by hand for small fixed cases: generations with a
// known number of steps and blocks under each cache policy and under guidance, a batch split
// over its requests, and choice questions with known Monte-Carlo and exact-ELBO rows.
#include <gtest/gtest.h>

#include "runners/choice/choice_scoring.h"
#include "runners/samplers/generation.h"
#include "sampler_test_util.h"

using namespace dlmeval;

namespace {

// llada-tiny's shape (config.json): d_model 64, 2 layers, 4 heads of 16 (4 KV heads), SwiGLU
// hidden 176, vocabulary 1024. Per position and layer the seven projections take
// 2 (64*64 + 2*64*64 + 64*64 + 3*64*176) = 100,352 FLOPs, attention 4 * 64 = 256 FLOPs per
// attended key; the LM head 2 * 64 * 1024 = 131,072 FLOPs per position. The keys and values
// alone take 2 * 2 * 64 * 64 = 16,384 FLOPs per position and layer.
constexpr double kLinear = 100352, kPerKey = 256, kHead = 131072, kLayers = 2, kKeyValue = 16384;

double layer_flops(double computed, double attended) { return kLayers * computed * (kLinear + kPerKey * attended); }

// One row of a call whose output is read at `kept` of its `computed` positions: the last layer
// gives every position its keys and values but runs the rest for the kept positions alone.
double pruned_flops(double computed, double attended, double kept) {
  return layer_flops(computed, attended) - (computed - kept) * (kLinear - kKeyValue + kPerKey * attended);
}

TEST(CostCounters, ModelShapeIsTheOneTheHandComputationAssumes) {
  const auto& c = test::golden_model("llada-tiny")->config;
  EXPECT_EQ(c.d_model, 64);
  EXPECT_EQ(c.n_layers, 2);
  EXPECT_EQ(c.n_heads * c.head_dim, 64);
  EXPECT_EQ(c.n_kv_heads * c.head_dim, 64);
  EXPECT_EQ(c.mlp_hidden, 176);
  EXPECT_EQ(c.vocab_size, 1024);
  EXPECT_DOUBLE_EQ(forward_flops(c, 1, 1, 0), kLayers * (kLinear + kPerKey));
  EXPECT_DOUBLE_EQ(forward_flops(c, 0, 0, 1), kHead);
}

GenerationRequest request(const std::string& sampler, double cfg = 0) {
  GenerationRequest r;
  r.prompt_ids = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};  // P = 10
  // 16 tokens in 2 blocks of 8, 4 steps per block; no early exit, so every step runs.
  r.protocol = {{"sampler", sampler}, {"gen_length", 16}, {"steps", 8}, {"block_length", 8}, {"early_exit", false}};
  if (cfg > 0) r.protocol["cfg_scale"] = cfg;
  r.seed = 3;
  return r;
}

TEST(CostCounters, NoCacheRecomputesTheWholeCanvasEveryStep) {
  const auto r = generate_requests(*test::golden_model("llada-tiny"), {request("llada")})[0];
  EXPECT_EQ(r.forward_passes, 8);
  EXPECT_EQ(r.cost.rows, 8);
  EXPECT_EQ(r.cost.tokens_computed, 8 * 26);  // prompt 10 + canvas 16
  EXPECT_EQ(r.cost.tokens_cached, 0);
  EXPECT_EQ(r.cost.head_tokens, 8 * 8);  // only the block the step reads goes through the LM head
  EXPECT_DOUBLE_EQ(r.cost.flops, 8 * (pruned_flops(26, 26, 8) + 8 * kHead));  // 39,854,080
  EXPECT_DOUBLE_EQ(r.cost.flops, 39854080.0);
  EXPECT_GT(r.cost.model_seconds, 0);
  EXPECT_EQ(r.cost.peak_memory_bytes, 0);  // the CPU reports none
}

TEST(CostCounters, PrefixCacheRecomputesFromTheBlockOnAndReadsThePrefix) {
  const auto r = generate_requests(*test::golden_model("llada-tiny"), {request("llada_prefix_cache")})[0];
  EXPECT_EQ(r.forward_passes, 8);
  // Per block one full pass (26), then 3 passes over [block start, 26): 16 then 8 positions,
  // attending to the cached 10 then 18 positions before them; each reads the block's 8.
  EXPECT_EQ(r.cost.tokens_computed, 2 * 26 + 3 * 16 + 3 * 8);
  EXPECT_EQ(r.cost.tokens_cached, 3 * 10 + 3 * 18);
  EXPECT_EQ(r.cost.head_tokens, 8 * 8);
  EXPECT_DOUBLE_EQ(r.cost.flops,
                   2 * pruned_flops(26, 26, 8) + 3 * pruned_flops(16, 26, 8) + 3 * layer_flops(8, 26) +
                       8 * 8 * kHead);
}

TEST(CostCounters, DualCacheRecomputesTheBlockOnly) {
  const auto r = generate_requests(*test::golden_model("llada-tiny"), {request("llada_dual_cache")})[0];
  EXPECT_EQ(r.cost.tokens_computed, 2 * 26 + 6 * 8);
  EXPECT_EQ(r.cost.tokens_cached, 6 * 18);
  EXPECT_EQ(r.cost.head_tokens, 8 * 8);
  EXPECT_DOUBLE_EQ(r.cost.flops, 2 * pruned_flops(26, 26, 8) + 6 * layer_flops(8, 26) + 8 * 8 * kHead);
}

TEST(CostCounters, GuidanceDoublesTheRowsButNotTheCalls) {
  const auto r = generate_requests(*test::golden_model("llada-tiny"), {request("llada", 1.0)})[0];
  EXPECT_EQ(r.forward_passes, 8);
  EXPECT_EQ(r.cost.rows, 16);
  EXPECT_EQ(r.cost.tokens_computed, 16 * 26);
  EXPECT_DOUBLE_EQ(r.cost.flops, 16 * (pruned_flops(26, 26, 8) + 8 * kHead));
}

TEST(CostCounters, ABatchIsSplitEvenlyOverItsRequestsPaddingIncluded) {
  auto shorter = request("llada");
  shorter.prompt_ids.resize(6);  // left-padded to the longer prompt's 10
  const auto both = generate_requests(*test::golden_model("llada-tiny"), {request("llada"), shorter});
  ASSERT_EQ(both.size(), 2u);
  for (const auto& r : both) {
    EXPECT_EQ(r.forward_passes, 8);
    EXPECT_EQ(r.cost.rows, 8);
    EXPECT_EQ(r.cost.tokens_computed, 8 * 26);
    EXPECT_DOUBLE_EQ(r.cost.flops, 39854080.0);
  }
}

ChoiceRequest question(const Json& protocol) {
  ChoiceRequest q;
  q.contexts = {{5, 6, 7, 8, 9, 10, 11, 12, 13, 14}};  // 10 tokens
  q.continuations = {{20, 21}, {30, 31, 32}};          // 2 and 3 tokens: no masked copy is shared
  q.protocol = protocol;
  q.seed = 11;
  return q;
}

TEST(CostCounters, ExactElboRunsEveryMaskedSubsetOnceAndProjectsOnlyMaskedPositions) {
  const auto r =
      score_choice_requests(*test::golden_model("llada-tiny"), {question({{"estimator", "exact_elbo"}})})[0];
  // 2^2 - 1 + 2^3 - 1 = 10 masked copies, in one forward padded to 13 positions; the masked
  // positions over all subsets of an n-token answer number n 2^(n-1): 4 + 12. The last layer
  // runs for the answer positions 10..12 alone.
  EXPECT_EQ(r.forward_passes, 1);
  EXPECT_EQ(r.cost.rows, 10);
  EXPECT_EQ(r.cost.tokens_computed, 10 * 13);
  EXPECT_EQ(r.cost.head_tokens, 16);
  EXPECT_DOUBLE_EQ(r.cost.flops, 10 * pruned_flops(13, 13, 3) + 16 * kHead);
}

TEST(CostCounters, MonteCarloRowsAreMcNumPerContinuation) {
  ScoringOptions options;
  options.share_identical_rows = false;  // so the row count does not depend on which masks repeat
  options.max_tokens_per_forward = 4 * 13;  // four padded rows per call
  const auto r = score_choice_requests(*test::golden_model("llada-tiny"),
                                       {question({{"estimator", "mc_elbo"}, {"mc_num", 4}, {"batch_size", 4}})},
                                       options)[0];
  // Longest first: the 3-token answer's four rows (13 positions), then the 2-token one's (12);
  // the last layer runs for the answer positions alone (every one is masked in some row).
  EXPECT_EQ(r.cost.rows, 8);
  EXPECT_EQ(r.forward_passes, 2);
  EXPECT_EQ(r.cost.tokens_computed, 4 * 13 + 4 * 12);
  EXPECT_DOUBLE_EQ(r.cost.flops, 4 * pruned_flops(13, 13, 3) + 4 * pruned_flops(12, 12, 2) +
                                     r.cost.head_tokens * kHead);
}

}  // namespace
