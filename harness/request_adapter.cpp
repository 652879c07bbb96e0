#include "harness/request_adapter.h"

#include "harness/core/error.h"
#include "runners/tokenizer/encode_pair.h"

#include <algorithm>

namespace dlmeval {
namespace {

std::string prompt_text(const Runner& runner, const std::string& context, const Json& settings,
                        const Json& chat_messages = Json::array()) {
  if (settings.value("chat", false)) {
    Json messages = chat_messages.empty() ? Json::array({{{"role", "user"}, {"content", context}}}) : chat_messages;
    return runner.apply_chat_template(messages, true);
  }
  return context;
}

// lm-eval's add_bos_token as Dream's evaluation applies it (DreamLM/Dream eval/eval.py: the BOS token's
// text put before every prompt and every choice context): the BOS id first, then the text's ids,
// which is the same since the tokenizer splits added tokens off before anything else.
void put_bos_first(const Runner& runner, const Json& settings, TokenIds& ids) {
  if (!settings.value("add_bos_token", false)) return;
  const int64_t bos = runner.special_ids().bos_id;
  if (bos < 0) throw UserError("the protocol sets add_bos_token, but the checkpoint names no BOS token");
  ids.insert(ids.begin(), bos);
}

// `settings` is the protocol as the harness reads it (chat, ...); `runner_settings` what the runner is given.
std::vector<AdaptedOutput> run_generation(Runner& runner, const Json& settings, const Json& runner_settings,
                                          const std::vector<TaskRequest>& requests, const std::vector<uint64_t>& seeds) {
  std::vector<AdaptedOutput> out(requests.size());
  std::vector<GenerationRequest> batch;
  std::vector<size_t> owner;
  for (size_t i = 0; i < requests.size(); ++i) {
    TokenIds prompt = runner.encode(prompt_text(runner, requests[i].contexts.at(0), settings, requests[i].chat_messages));
    put_bos_first(runner, settings, prompt);
    // Dream's escape_until (its HumanEval setting): the task's `until` strings neither stop nor cut.
    const std::vector<std::string> stops =
        settings.value("escape_until", false) ? std::vector<std::string>{} : requests[i].stop_strings;
    for (int s = 0; s < std::max(1, requests[i].samples); ++s) {
      batch.push_back({prompt, runner_settings, seeds[i] + static_cast<uint64_t>(s), stops});
      owner.push_back(i);
    }
    out[i].cost.prompt_tokens = static_cast<int64_t>(prompt.size());
  }
  const auto results = runner.generate(batch);
  for (size_t j = 0; j < results.size(); ++j) {
    AdaptedOutput& o = out[owner[j]];
    o.output.texts.push_back(results[j].text);
    o.cost.generated_tokens += results[j].generated_tokens;
    o.cost.generated_tokens_per_sample.push_back(results[j].generated_tokens);
    o.cost.forward_passes += results[j].forward_passes;
    o.cost.model += results[j].cost;
  }
  return out;
}

std::vector<AdaptedOutput> run_choice(Runner& runner, const Json& settings, const Json& runner_settings,
                                      const std::vector<TaskRequest>& requests, const std::vector<uint64_t>& seeds) {
  std::vector<AdaptedOutput> out(requests.size());
  std::vector<ChoiceRequest> batch;
  for (size_t i = 0; i < requests.size(); ++i) {
    const TaskRequest& r = requests[i];
    ChoiceRequest c;
    c.protocol = runner_settings;
    c.seed = seeds[i];
    for (size_t k = 0; k < r.continuations.size(); ++k) {
      const std::string& context = r.contexts.size() == 1 ? r.contexts[0] : r.contexts.at(k);
      auto [ctx, cont] = encode_pair(runner, prompt_text(runner, context, settings), r.continuations[k]);
      if (r.contexts.size() > 1 || k == 0) {
        put_bos_first(runner, settings, ctx);
        out[i].cost.prompt_tokens += static_cast<int64_t>(ctx.size());
        c.contexts.push_back(std::move(ctx));
      }
      c.continuations.push_back(std::move(cont));
    }
    batch.push_back(std::move(c));
  }
  const auto results = runner.score_choices(batch);
  for (size_t i = 0; i < requests.size(); ++i) {
    out[i].output.loglik = results[i].loglik;
    out[i].output.is_greedy = results[i].is_greedy;
    out[i].cost.forward_passes = results[i].forward_passes;
    out[i].cost.loglik_stderr = results[i].stderr_of_loglik;
    out[i].cost.model = results[i].cost;
  }
  return out;
}

}  // namespace

std::pair<TokenIds, TokenIds> encode_pair(const Runner& runner, std::string context, std::string continuation) {
  return encode_pair([&](const std::string& text) { return runner.encode(text); }, std::move(context),
                     std::move(continuation));
}

std::vector<AdaptedOutput> run_requests(Runner& runner, const ResolvedProtocol& protocol,
                                        const std::vector<TaskRequest>& requests, const std::vector<uint64_t>& seeds) {
  const Json& settings = protocol.protocol.settings;
  const Json runner_settings = runner_protocol(settings);
  if (protocol.kind == ProtocolKind::Generation) return run_generation(runner, settings, runner_settings, requests, seeds);
  return run_choice(runner, settings, runner_settings, requests, seeds);
}

}  // namespace dlmeval
