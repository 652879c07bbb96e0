// Every generate() golden of the official LLaDA and Dream code, token for token.
#include <gtest/gtest.h>

#include "runners/samplers/sampler.h"
#include "runners/samplers/schedule.h"
#include "runners/samplers/stop_strings.h"
#include "sampler_test_util.h"

using namespace dlmeval;

namespace {

// The goldens' patched generate.py hard-codes EOS 1019 and EOT 1022.
constexpr int64_t kEos = 1019, kEot = 1022;

Json llada_protocol(const Json& args, bool early_exit) {
  Json p = {{"sampler", "llada"}, {"eos_id", kEos}, {"eot_id", kEot}, {"early_exit", early_exit}};
  for (const char* k : {"steps", "gen_length", "block_length", "temperature", "cfg_scale", "remasking", "mask_id",
                        "logits_eos_inf", "confidence_eos_eot_inf"})
    p[k] = args[k];
  return p;
}

std::optional<torch::Tensor> mask_of(const Json& c) {
  if (c["attention_mask"].is_null()) return std::nullopt;
  return test::matrix(c["attention_mask"]);
}

class LladaGenerateGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(LladaGenerateGolden, EveryCaseMatchesTheReferenceTokenForToken) {
  const Json golden = read_json_file(test::expected(GetParam(), "generate.json"));
  auto model = test::golden_model(GetParam());
  ASSERT_GE(golden["cases"].size(), 12u);
  for (const auto& c : golden["cases"]) {
    SCOPED_TRACE(c["id"].get<std::string>());
    auto prompt = test::matrix(c["prompt_ids"]);
    auto out = generate_tokens(*model, prompt, mask_of(c), llada_protocol(c["args"], false), 0);
    EXPECT_EQ(test::rows_of(out.sequences), c["output_ids"].get<std::vector<std::vector<int64_t>>>());
    EXPECT_EQ(out.forward_passes, c["num_model_calls"].get<int64_t>());

    // Early exit stops after the block that commits EOS/EOT; everything before the first one is
    // the same as the full decoding's.
    auto early = generate_tokens(*model, prompt, mask_of(c), llada_protocol(c["args"], true), 0);
    EXPECT_LE(early.forward_passes, out.forward_passes);
    auto full_rows = test::rows_of(out.generated()), early_rows = test::rows_of(early.generated());
    for (size_t r = 0; r < full_rows.size(); ++r)
      EXPECT_EQ(cut_at_end_ids(early_rows[r], kEos, kEot), cut_at_end_ids(full_rows[r], kEos, kEot));
  }
}

INSTANTIATE_TEST_SUITE_P(Checkpoints, LladaGenerateGolden,
                         ::testing::Values("llada-tiny", "llada-tiny-gqa-tied", "llada-tiny-sharded-bf16"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n) if (ch == '-') ch = '_';
                           return n;
                         });

Json dream_protocol(const Json& args) {
  Json p = {{"sampler", "dream"}};
  for (const char* k : {"max_new_tokens", "steps", "alg", "alg_temp", "temperature", "top_p", "top_k", "eps"}) p[k] = args[k];
  return p;
}

TEST(DreamGenerateGolden, EveryCaseMatchesTheReferenceTokenForToken) {
  const Json golden = read_json_file(test::expected("dream-tiny", "generate.json"));
  auto model = test::golden_model("dream-tiny");
  int origin_cases = 0;
  for (const auto& c : golden["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto& args = c["args"];
    // `origin` draws torch.rand after torch.manual_seed(seed): the same mt19937 stream as a CPU
    // generator seeded alike, so those cases are reproduced too.
    const uint64_t seed = c["torch_manual_seed_before_call"].is_null() ? 0 : c["torch_manual_seed_before_call"].get<uint64_t>();
    origin_cases += args["alg"] == "origin";
    std::vector<std::vector<int64_t>> states;
    StepCallback record = [&](const StepInfo& info) { states.push_back(test::rows_of(info.sequences).front()); };
    auto out = generate_tokens(*model, test::matrix(c["prompt_ids"]), mask_of(c), dream_protocol(args), seed, nullptr, &record);
    EXPECT_EQ(test::rows_of(out.sequences), c["output_ids"].get<std::vector<std::vector<int64_t>>>());
    EXPECT_EQ(out.forward_passes, args["steps"].get<int64_t>());
    // Every intermediate state too (row 0), so a failure points at the first wrong step.
    const auto& trace = c["steps_trace"];
    ASSERT_EQ(states.size(), trace.size());
    for (size_t i = 0; i < trace.size(); ++i) {
      EXPECT_EQ(states[i], trace[i]["x_after"][0].get<std::vector<int64_t>>()) << "step " << i;
      if (HasFailure()) break;
    }
    // The float32 timesteps of the schedule.
    auto ts = dream_timesteps(args["steps"].get<int64_t>(), args["eps"].get<double>());
    auto expected_ts = c["timesteps_float32"].get<std::vector<double>>();
    for (size_t i = 0; i < expected_ts.size(); ++i) EXPECT_EQ(ts[i].item<float>(), static_cast<float>(expected_ts[i]));
  }
  EXPECT_EQ(origin_cases, 2);
}

}  // namespace
