// The autoregressive baselines (Qwen2, LLaMA) against goldens computed with Hugging Face
// transformers 4.57.6 (tests/golden/ar/README.md): logits, greedy generations with left padding,
// EOS and stop strings, and lm-eval's loglikelihood with its tokenisation rule.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ar_test_util.h"
#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "runners/choice/choice_scoring.h"
#include "runners/model.h"
#include "runners/samplers/generation.h"
#include "runners/samplers/stop_strings.h"
#include "runners/tensor_file.h"
#include "runners/tokenizer/encode_pair.h"
#include "runners/tokenizer/tokenizer.h"

using namespace dlmeval;

namespace {

const char* kModels[] = {"qwen2-tiny", "llama-tiny"};

using test::ar_golden;

std::shared_ptr<LoadedModel> load(const std::string& name) {
  RuntimeOptions options;
  options.threads = 1;
  return load_model(test::ar_checkpoint_with_tokenizer(name), options);
}

TokenIds ids_of(const Json& j) { return j.get<TokenIds>(); }

}  // namespace

TEST(AutoregressiveGolden, ConfigsAreCausal) {
  auto qwen = load_model_config(ar_golden("qwen2-tiny"));
  auto llama = load_model_config(ar_golden("llama-tiny"));
  EXPECT_TRUE(qwen.causal && llama.causal);
  EXPECT_TRUE(qwen.qkv_bias && qwen.tied_embeddings);
  EXPECT_FALSE(llama.qkv_bias || llama.tied_embeddings);
  ASSERT_TRUE(llama.rope_scaling.has_value());
  EXPECT_DOUBLE_EQ(llama.rope_scaling->factor, 8.0);
  EXPECT_FALSE(load_model_config(test::checkpoint("dream-tiny")).causal);
}

TEST(AutoregressiveGolden, LogitsMatchTransformersAtEveryRealPosition) {
  for (const char* name : kModels) {
    SCOPED_TRACE(name);
    auto model = load(name);
    auto t = read_tensor_file(ar_golden(std::string(name) + "/expected/forward.safetensors"));
    torch::NoGradGuard no_grad;
    auto logits = model->net->forward(t.at("input_ids"), t.at("attention_mask"));
    auto real = t.at("attention_mask").to(torch::kBool);
    const double diff = (logits - t.at("logits")).abs().index({real}).max().item<double>();
    EXPECT_LT(diff, 1e-4);
    // Row 1 alone, without its padding, gives the same logits as in the padded batch.
    auto row = t.at("input_ids")[1].index({real[1]}).unsqueeze(0);
    auto alone = model->net->forward(row, std::nullopt)[0];
    EXPECT_LT((alone - t.at("logits_unpadded_row1")).abs().max().item<double>(), 1e-4);
  }
}

TEST(AutoregressiveGolden, GreedyGenerationsMatchTokenForToken) {
  for (const char* name : kModels) {
    auto model = load(name);
    const Json cases = read_json_file(ar_golden(std::string(name) + "/expected/generate.json"));
    for (const auto& c : cases) {
      SCOPED_TRACE(std::string(name) + " " + c["name"].get<std::string>());
      // transformers stops at the configured eos_token_id (1019) only.
      const Json protocol = {{"sampler", "ar"}, {"max_new_tokens", c["max_new_tokens"]}, {"eot_id", -1}};
      std::vector<GenerationRequest> requests;
      for (const auto& p : c["prompts"])
        requests.push_back({ids_of(p), protocol, 0, c["stop_strings"].get<std::vector<std::string>>()});
      std::vector<GenerationResult> results;
      if (c["batched"].get<bool>()) {
        results = generate_requests(*model, requests);
      } else {
        for (const auto& r : requests) results.push_back(generate_requests(*model, {r}).at(0));
      }
      ASSERT_EQ(results.size(), c["outputs"].size());
      for (size_t i = 0; i < results.size(); ++i) {
        const TokenIds expected = ids_of(c["outputs"][i]);
        const std::string how = c["stopped_by"][i].get<std::string>();
        if (how != "stop_string") {
          EXPECT_EQ(results[i].output_ids, expected) << "row " << i;
          continue;
        }
        // transformers keeps the tokens that complete the stop string; dlmeval cuts the text at
        // it and keeps the tokens wholly before the cut.
        const std::string text = c["texts"][i].get<std::string>();
        const auto stops = c["stop_strings"].get<std::vector<std::string>>();
        const size_t cut = earliest_stop(text, stops);
        ASSERT_NE(cut, std::string::npos);
        EXPECT_EQ(results[i].text, text.substr(0, cut)) << "row " << i;
        ASSERT_LE(results[i].output_ids.size(), expected.size());
        EXPECT_TRUE(std::equal(results[i].output_ids.begin(), results[i].output_ids.end(), expected.begin()));
      }
    }
  }
}

TEST(AutoregressiveGolden, LogLikelihoodsFollowLmEval) {
  for (const char* name : kModels) {
    auto model = load(name);
    const Json cases = read_json_file(ar_golden(std::string(name) + "/expected/loglik.json"));
    const Encoder encode = [&](const std::string& text) { return model->tokenizer->encode(text, false); };
    int checked = 0;
    for (const auto& c : cases) {
      SCOPED_TRACE(std::string(name) + " " + c["name"].get<std::string>());
      if (c.contains("prefix_token_id") && !c["prefix_token_id"].is_null()) continue;  // an older lm-eval's rule
      const std::string context = c["context"].get<std::string>();
      auto [ctx, cont] = encode_pair(encode, context, c["continuation"].get<std::string>());
      if (!context.empty()) {
        EXPECT_EQ(ctx, ids_of(c["context_ids"]));
      }
      ChoiceRequest request{{ctx}, {cont}, Json{{"estimator", "ar_loglik"}}, 0};
      const ChoiceResult r = score_choice_requests(*model, {request}).at(0);
      const double expected = c["loglik"].get<double>();
      EXPECT_NEAR(r.loglik.at(0), expected, 1e-4 * std::max(1.0, std::abs(expected)));
      EXPECT_EQ(static_cast<bool>(r.is_greedy.at(0)), c["is_greedy"].get<bool>());
      ++checked;
    }
    EXPECT_GE(checked, 16);
    // All continuations of a question in one padded forward score as they do alone.
    ChoiceRequest question{{encode("The cat sat on the")}, {encode(" mat"), encode(" dog and the hat"), encode("!")},
                           Json{{"estimator", "ar_loglik"}}, 0};
    const ChoiceResult together = score_choice_requests(*model, {question}).at(0);
    for (size_t k = 0; k < question.continuations.size(); ++k) {
      ChoiceRequest alone{question.contexts, {question.continuations[k]}, question.protocol, 0};
      EXPECT_NEAR(score_choice_requests(*model, {alone}).at(0).loglik.at(0), together.loglik[k], 1e-4);
    }
  }
}

TEST(AutoregressiveGolden, SamplingIsSeededAndTopKOneIsGreedy) {
  auto model = load("qwen2-tiny");
  const TokenIds prompt = model->tokenizer->encode("Once upon a time", false);
  const Json greedy = {{"sampler", "ar"}, {"max_new_tokens", 12}, {"stop_at_eos", false}};
  Json sampled = greedy;
  sampled["temperature"] = 1.0;
  Json top1 = sampled;
  top1["top_k"] = 1;
  auto one = [&](const Json& protocol, uint64_t seed) {
    return generate_requests(*model, {{prompt, protocol, seed, {}}}).at(0).output_ids;
  };
  EXPECT_EQ(one(sampled, 5), one(sampled, 5));
  EXPECT_EQ(one(top1, 5), one(greedy, 0));
  bool differs = false;
  for (uint64_t seed = 1; seed < 6 && !differs; ++seed) differs = one(sampled, seed) != one(sampled, seed + 10);
  EXPECT_TRUE(differs);
  // A diffusion sampler is refused on an autoregressive checkpoint, and the other way round.
  EXPECT_THROW(generate_requests(*model, {{prompt, Json{{"sampler", "llada"}}, 0, {}}}), UserError);
  RuntimeOptions options;
  auto llada = load_model(test::checkpoint("llada-tiny"), options);
  EXPECT_THROW(generate_requests(*llada, {{{5, 6}, greedy, 0, {}}}), UserError);
}
