// Properties of the samplers on the golden checkpoints: early exit keeps the same text, batching
// changes nothing in fp32, seeds behave, the fast variants and iLLaDA's growing canvas do what
// their rules say.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "runners/samplers/generation.h"
#include "runners/samplers/logit_source.h"
#include "runners/samplers/sampler.h"
#include "runners/tokenizer/tokenizer.h"
#include "sampler_test_util.h"

using namespace dlmeval;

namespace {

constexpr int64_t kBos = 1018, kEos = 1019, kEot = 1022, kMask = 1023;

// The tiny LLaDA checkpoint with the tiny tokenizer (same vocabulary and special ids) attached.
std::shared_ptr<LoadedModel> llada_with_tokenizer() {
  static std::shared_ptr<LoadedModel> model = [] {
    auto m = std::make_shared<LoadedModel>(*test::golden_model("llada-tiny"));
    m->tokenizer = std::make_shared<Tokenizer>(Tokenizer::load(test::golden("tokenizers/tiny")));
    m->ids.eot_id = kEot;
    return m;
  }();
  return model;
}

std::vector<TokenIds> random_prompts(size_t count, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  std::vector<TokenIds> prompts;
  for (size_t i = 0; i < count; ++i) {
    const int64_t length = torch::randint(3, 14, {1}, gen).item<int64_t>();
    auto body = torch::randint(0, 1018, {length}, gen);
    TokenIds p{kBos};
    for (int64_t j = 0; j < length; ++j) p.push_back(body[j].item<int64_t>());
    prompts.push_back(p);
  }
  return prompts;
}

std::vector<GenerationRequest> requests_for(const std::vector<TokenIds>& prompts, const Json& protocol, uint64_t seed = 0) {
  std::vector<GenerationRequest> out;
  for (const auto& p : prompts) out.push_back({p, protocol, seed, {}});
  return out;
}

const Json kSemiAr = {{"sampler", "llada"}, {"gen_length", 32}, {"block_length", 4}, {"steps", 16}};

TEST(EarlyExit, SameKeptOutputOnManyPromptsWithEosAndStopStrings) {
  auto model = llada_with_tokenizer();
  const auto prompts = random_prompts(24, 11);
  // Odd prompts end at EOS/EOT; even ones never propose EOS (EOT is ordinary text there) and end
  // at a stop string taken from the middle of their full decoding, so it really fires.
  Json eos_protocol = kSemiAr;
  Json stop_protocol = kSemiAr;
  stop_protocol["logits_eos_inf"] = true;
  stop_protocol["eot_id"] = -1;
  auto protocol_of = [&](size_t i, bool early) {
    Json p = i % 2 == 0 ? stop_protocol : eos_protocol;
    p["early_exit"] = early;
    return p;
  };
  std::vector<GenerationRequest> plain;
  for (size_t i = 0; i < prompts.size(); ++i) plain.push_back({prompts[i], protocol_of(i, false), 0, {}});
  auto reference = generate_requests(*model, plain, {1});
  std::vector<GenerationRequest> early_requests, full_requests;
  int stops_set = 0;
  for (size_t i = 0; i < prompts.size(); ++i) {
    GenerationRequest r{prompts[i], protocol_of(i, true), 0, {}};
    const std::string& text = reference[i].text;
    if (i % 2 == 0 && text.size() > 12) {
      r.stop_strings = {text.substr(text.size() / 3, 2), "never-appears-in-output"};
      ++stops_set;
    }
    early_requests.push_back(r);
    r.protocol = protocol_of(i, false);
    full_requests.push_back(r);
  }
  ASSERT_GE(stops_set, 8);
  auto early = generate_requests(*model, early_requests, {1});
  auto full = generate_requests(*model, full_requests, {1});
  int saved = 0, saved_by_stop_strings = 0;
  for (size_t i = 0; i < prompts.size(); ++i) {
    SCOPED_TRACE(i);
    saved_by_stop_strings += !early_requests[i].stop_strings.empty() && early[i].forward_passes < full[i].forward_passes;
    EXPECT_EQ(early[i].text, full[i].text);
    EXPECT_EQ(early[i].output_ids, full[i].output_ids);
    EXPECT_LE(early[i].forward_passes, full[i].forward_passes);
    saved += early[i].forward_passes < full[i].forward_passes;
  }
  // The early exit really happened on many prompts, through EOS and through stop strings.
  EXPECT_GE(saved, 12);
  EXPECT_GE(saved_by_stop_strings, 4);
}

TEST(Batching, BatchedEqualsOneByOneInFp32) {
  auto model = test::golden_model("llada-tiny");
  const auto prompts = random_prompts(10, 23);
  for (Json protocol : {kSemiAr, Json{{"sampler", "llada"}, {"gen_length", 16}, {"block_length", 16}, {"steps", 8},
                                      {"cfg_scale", 1.0}},
                        Json{{"sampler", "llada_dual_cache"}, {"gen_length", 16}, {"block_length", 8}, {"steps", 8},
                             {"threshold", 0.5}},
                        Json{{"sampler", "illada_varlen"}, {"block_length", 8}, {"steps_per_block", 4}, {"max_length", 24}}}) {
    SCOPED_TRACE(protocol.dump());
    auto batched = generate_requests(*model, requests_for(prompts, protocol), {8});
    auto single = generate_requests(*model, requests_for(prompts, protocol), {1});
    for (size_t i = 0; i < prompts.size(); ++i) EXPECT_EQ(batched[i].output_ids, single[i].output_ids) << i;
  }
  auto dream = test::golden_model("dream-tiny");
  Json dream_protocol = {{"sampler", "dream"}, {"alg", "entropy"}, {"max_new_tokens", 12}, {"steps", 6}};
  auto batched = generate_requests(*dream, requests_for(prompts, dream_protocol), {8});
  auto single = generate_requests(*dream, requests_for(prompts, dream_protocol), {1});
  for (size_t i = 0; i < prompts.size(); ++i) EXPECT_EQ(batched[i].output_ids, single[i].output_ids) << i;
}

TEST(Seeds, SameSeedSameOutputDifferentSeedsDiffer) {
  auto model = test::golden_model("llada-tiny");
  const auto prompts = random_prompts(4, 5);
  for (Json protocol : {Json{{"gen_length", 16}, {"block_length", 8}, {"steps", 8}, {"temperature", 1.0}},
                        Json{{"gen_length", 16}, {"block_length", 8}, {"steps", 8}, {"remasking", "random"}}}) {
    SCOPED_TRACE(protocol.dump());
    protocol["stop_at_eos"] = false;
    auto a = generate_requests(*model, requests_for(prompts, protocol, 1));
    auto b = generate_requests(*model, requests_for(prompts, protocol, 1));
    auto c = generate_requests(*model, requests_for(prompts, protocol, 2));
    int differ = 0;
    for (size_t i = 0; i < prompts.size(); ++i) {
      EXPECT_EQ(a[i].output_ids, b[i].output_ids);
      differ += a[i].output_ids != c[i].output_ids;
    }
    EXPECT_GE(differ, 3);
  }
  // A stochastic request's output does not depend on its batch neighbours.
  Json hot = {{"gen_length", 16}, {"block_length", 16}, {"steps", 8}, {"temperature", 0.8}};
  auto alone = generate_requests(*model, requests_for({prompts[0]}, hot, 9));
  auto together = generate_requests(*model, requests_for(prompts, hot, 9));
  EXPECT_EQ(alone[0].output_ids, together[0].output_ids);
}

TEST(FastSamplers, ThresholdNeedsFewerPassesAndFillsTheCanvas) {
  auto model = test::golden_model("llada-tiny");
  auto prompt = torch::tensor(random_prompts(1, 3)[0], torch::kLong).unsqueeze(0);
  Json base = {{"gen_length", 32}, {"block_length", 8}, {"steps", 32}, {"early_exit", false}};
  Json exact = base;
  auto reference = generate_tokens(*model, prompt, std::nullopt, exact, 0);
  for (const char* sampler : {"llada_threshold", "llada_prefix_cache", "llada_dual_cache"}) {
    SCOPED_TRACE(sampler);
    Json p = base;
    p["sampler"] = sampler;
    p["threshold"] = 0.3;
    auto out = generate_tokens(*model, prompt, std::nullopt, p, 0);
    EXPECT_FALSE((out.generated() == kMask).any().item<bool>());
    EXPECT_LT(out.forward_passes, reference.forward_passes);
    // Threshold 1: nothing clears it, so exactly one token per step.
    p["threshold"] = 1.0;
    EXPECT_EQ(generate_tokens(*model, prompt, std::nullopt, p, 0).forward_passes, 32);
  }
}

TEST(FastSamplers, CachesAreExactWhenEachBlockTakesOneStep) {
  // With one step per block every call is the block's refreshing full pass.
  auto model = test::golden_model("llada-tiny-gqa-tied");
  auto prompt = torch::tensor(random_prompts(1, 4)[0], torch::kLong).unsqueeze(0);
  Json p = {{"gen_length", 32}, {"block_length", 4}, {"steps", 8}, {"early_exit", false}};
  auto exact = generate_tokens(*model, prompt, std::nullopt, p, 0);
  for (const char* sampler : {"llada_prefix_cache", "llada_dual_cache"}) {
    p["sampler"] = sampler;
    EXPECT_TRUE(torch::equal(generate_tokens(*model, prompt, std::nullopt, p, 0).sequences, exact.sequences)) << sampler;
  }
}

TEST(FastSamplers, CachedWindowReproducesTheFullPassOnAnUnchangedCanvas) {
  auto model = test::golden_model("llada-tiny");
  auto x = torch::cat({torch::tensor(random_prompts(2, 6)[1], torch::kLong), torch::full({16}, kMask, torch::kLong)}).unsqueeze(0);
  torch::NoGradGuard no_grad;
  const int64_t start = x.size(1) - 16, end = start + 8;
  auto full = model->net->forward(x, std::nullopt);
  for (auto policy : {CachePolicy::Prefix, CachePolicy::Dual}) {
    for (double cfg : {0.0, 1.0}) {
      LogitSource source(*model->net, std::nullopt, policy, cfg, x != kMask, kMask);
      auto first = source.logits(x, start, end, true);
      auto window = source.logits(x, start, end, false);
      // Both calls give the block's logits only: the full pass's, and the cached window's.
      EXPECT_EQ(first.start, start);
      EXPECT_EQ(window.start, start);
      EXPECT_EQ(first.logits.size(1), 8);
      EXPECT_EQ(window.logits.size(1), 8);
      EXPECT_LE((window.logits - first.logits).abs().max().item<double>(), 1e-4);
      if (cfg == 0) {
        EXPECT_LE((first.logits - full.narrow(1, start, 8)).abs().max().item<double>(), 1e-6);
      }
      EXPECT_EQ(source.forward_passes(), 2);
    }
  }
}

TEST(VariableLength, GrowsBlockByBlockUntilEos) {
  auto model = test::golden_model("llada-tiny");
  const auto prompts = random_prompts(6, 8);
  Json p = {{"sampler", "illada_varlen"}, {"block_length", 8}, {"steps_per_block", 4}, {"max_length", 64},
            {"eos_id", kEos}, {"eot_id", kEot}};
  int stopped_early = 0;
  for (const auto& prompt_ids : prompts) {
    auto prompt = torch::tensor(prompt_ids, torch::kLong).unsqueeze(0);
    auto out = generate_tokens(*model, prompt, std::nullopt, p, 0);
    auto g = test::rows_of(out.generated())[0];
    const int64_t blocks = static_cast<int64_t>(g.size()) / 8;
    EXPECT_EQ(static_cast<int64_t>(g.size()) % 8, 0);
    EXPECT_EQ(out.forward_passes, blocks * 4);
    EXPECT_FALSE((out.generated() == kMask).any().item<bool>());
    // Every block but the last is free of EOS/EOT; the last has one unless max_length was reached.
    auto is_end = [](int64_t id) { return id == kEos || id == kEot; };
    for (int64_t i = 0; i < (blocks - 1) * 8; ++i) EXPECT_FALSE(is_end(g[i])) << i;
    if (g.size() < 64) {
      EXPECT_TRUE(std::any_of(g.end() - 8, g.end(), is_end));
    }
    stopped_early += g.size() < 64;
  }
  EXPECT_GE(stopped_early, 2);
  // Never proposing EOS, it grows to max_length.
  p["logits_eos_inf"] = true;
  p["eot_id"] = -1;
  auto out = generate_tokens(*model, torch::tensor(prompts[0], torch::kLong).unsqueeze(0), std::nullopt, p, 0);
  EXPECT_EQ(out.generated().size(1), 64);
}

TEST(StopRules, OutputIsCutAtEosAndStopStrings) {
  auto tokenizer = Tokenizer::load(test::golden("tokenizers/tiny"));
  TokenIds ids = tokenizer.encode("The answer is 42.\nQuestion: next");
  auto kept = keep_output(ids, &tokenizer, {"Question:"}, kEos, kEot, true);
  EXPECT_EQ(kept.text, "The answer is 42.\n");
  EXPECT_EQ(tokenizer.decode(kept.ids), "The answer is 42.\n");
  TokenIds with_eos = tokenizer.encode("Done");
  const size_t before = with_eos.size();
  with_eos.push_back(kEot);
  with_eos.push_back(300);
  EXPECT_EQ(keep_output(with_eos, &tokenizer, {}, kEos, kEot, true).ids.size(), before);
  EXPECT_EQ(keep_output(with_eos, &tokenizer, {}, kEos, kEot, false).ids.size(), before + 2);
  EXPECT_THROW(keep_output(ids, nullptr, {"x"}, kEos, kEot, true), std::exception);
}

}  // namespace
