// What the adapter hands the runner for a protocol's harness fields: add_bos_token (Dream's
// evaluation) puts the checkpoint's BOS id before every prompt and every choice context.
#include <gtest/gtest.h>

#include "harness/core/error.h"
#include "harness/request_adapter.h"

using namespace dlmeval;

namespace {

// Bytes as token ids; keeps what it was asked.
class RecordingRunner : public Runner {
 public:
  explicit RecordingRunner(int64_t bos_id) { ids_.bos_id = bos_id; }
  std::vector<GenerationResult> generate(const std::vector<GenerationRequest>& batch) override {
    generated = batch;
    return std::vector<GenerationResult>(batch.size());
  }
  std::vector<ChoiceResult> score_choices(const std::vector<ChoiceRequest>& batch) override {
    scored = batch;
    std::vector<ChoiceResult> out(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) out[i].loglik.assign(batch[i].continuations.size(), 0.0);
    return out;
  }
  const SpecialIds& special_ids() const override { return ids_; }
  TokenIds encode(const std::string& text) const override { return TokenIds(text.begin(), text.end()); }
  std::string decode(const TokenIds& ids, bool) const override { return std::string(ids.begin(), ids.end()); }
  std::string apply_chat_template(const Json& messages, bool) const override { return messages.dump(); }
  Json describe() const override { return {{"runner", "recording"}}; }

  std::vector<GenerationRequest> generated;
  std::vector<ChoiceRequest> scored;

 private:
  SpecialIds ids_;
};

TaskRequest generation_request(const std::string& prompt) {
  TaskRequest r;
  r.kind = RequestKind::Generate;
  r.contexts = {prompt};
  return r;
}

TaskRequest choice_request(const std::string& context, std::vector<std::string> continuations) {
  TaskRequest r;
  r.kind = RequestKind::Choice;
  r.contexts = {context};
  r.continuations = std::move(continuations);
  return r;
}

}  // namespace

TEST(RequestAdapter, DreamProtocolsPutTheBosIdFirst) {
  RecordingRunner runner(1018);
  const ResolvedProtocol gen = resolve_protocol("dream-base-gen256");
  ASSERT_TRUE(gen.protocol.settings.value("add_bos_token", false));
  const auto out = run_requests(runner, gen, {generation_request("Hi")}, {7});
  ASSERT_EQ(runner.generated.size(), 1u);
  EXPECT_EQ(runner.generated[0].prompt_ids, (TokenIds{1018, 'H', 'i'}));
  EXPECT_EQ(out[0].cost.prompt_tokens, 3);
  // The BOS token is harness business: the runner's protocol does not carry it.
  EXPECT_FALSE(runner.generated[0].protocol.contains("add_bos_token"));

  const ResolvedProtocol mc = resolve_protocol("dream-base-mc128");
  run_requests(runner, mc, {choice_request("Q: ", {"a", "bc"})}, {7});
  ASSERT_EQ(runner.scored.size(), 1u);
  // lm-eval's split moves the context's trailing space to the continuations; BOS stays first.
  EXPECT_EQ(runner.scored[0].contexts, (std::vector<TokenIds>{{1018, 'Q', ':'}}));
  EXPECT_EQ(runner.scored[0].continuations, (std::vector<TokenIds>{{' ', 'a'}, {' ', 'b', 'c'}}));
}

TEST(RequestAdapter, EscapeUntilDropsTheStopStrings) {
  RecordingRunner runner(1018);
  TaskRequest r = generation_request("def f():");
  r.stop_strings = {"\nclass", "\ndef"};
  run_requests(runner, resolve_protocol("dream-base-gen512-t0.2"), {r}, {7});
  EXPECT_EQ(runner.generated.at(0).stop_strings, r.stop_strings);
  run_requests(runner, resolve_protocol("dream-base-humaneval"), {r}, {7});
  EXPECT_TRUE(runner.generated.at(0).stop_strings.empty());
  EXPECT_FALSE(runner.generated.at(0).protocol.contains("escape_until"));
}

TEST(RequestAdapter, OtherProtocolsLeaveThePromptAlone) {
  RecordingRunner runner(1018);
  run_requests(runner, resolve_protocol("llada-gsm8k-gen256"), {generation_request("Hi")}, {7});
  EXPECT_EQ(runner.generated.at(0).prompt_ids, (TokenIds{'H', 'i'}));
  run_requests(runner, resolve_protocol("ar-loglik"), {choice_request("Q:", {" a"})}, {7});
  EXPECT_EQ(runner.scored.at(0).contexts, (std::vector<TokenIds>{{'Q', ':'}}));
}

TEST(RequestAdapter, AddBosTokenWithoutABosTokenIsRefused) {
  RecordingRunner runner(-1);
  EXPECT_THROW(run_requests(runner, resolve_protocol("dream-base-gen256"), {generation_request("Hi")}, {7}), UserError);
}
