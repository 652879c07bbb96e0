// Multiple-choice scoring speed on a 5-shot-MMLU-shaped question: a 600-token prompt and 4
// continuations of 1 token (letters) or 20 tokens (answer texts), for each estimator, scored
// one continuation at a time like the reference loop ("naive": no shared forwards, no shared rows,
// `batch_size` rows per forward) and batched (all continuations and Monte-Carlo rows of the
// question together, identical rows run once). Counter `questions/s`. Models: the golden
// llada-tiny checkpoint and a random ~25M-parameter LLaDA config. BM_ChoiceCrnVariance measures
// how much common random numbers shrink the variance of the difference between two choices.
// Both modes project only the scored positions through the LM head (the reference computes
// vocabulary logits for all ~620 positions), so "naive" isolates the gain of batching and sharing.
// Full run: ./dlmeval_bench --benchmark_filter=BM_Choice (a few minutes on two cores).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <random>

#include "runners/choice/choice_scoring.h"
#include "runners/model.h"

namespace {

using namespace dlmeval;

const LoadedModel& tiny_model() {
  static const auto model = load_model(std::string(DLMEVAL_SHARED_DIR) + "/golden/checkpoints/llada-tiny", RuntimeOptions{});
  return *model;
}

const LoadedModel& random_25m_model() {
  static const std::shared_ptr<LoadedModel> model = [] {
    const Json config{{"architectures", {"LLaDAModelLM"}}, {"d_model", 512}, {"n_layers", 8}, {"n_heads", 8},
                      {"n_kv_heads", 8}, {"mlp_hidden_size", 1408}, {"vocab_size", 32000}, {"embedding_size", 32000},
                      {"rope_theta", 500000.0}, {"rms_norm_eps", 1e-5}, {"max_sequence_length", 4096},
                      {"weight_tying", false}, {"include_qkv_bias", false}, {"mask_token_id", 31999},
                      {"eos_token_id", 31998}, {"pad_token_id", 31998}, {"block_type", "llama"},
                      {"activation_type", "silu"}, {"layer_norm_type", "rms"}, {"rope", true}};
    auto m = std::make_shared<LoadedModel>();
    m->dir = "random-25M";
    m->config = parse_model_config(config, "random-25M");
    m->ids.mask_id = 31999;
    m->ids.eos_id = m->ids.pad_id = 31998;
    m->net = std::make_shared<Transformer>(m->config, random_weights(m->config, 1, torch::kCPU, torch::kFloat32),
                                           torch::Device(torch::kCPU), torch::kFloat32);
    return m;
  }();
  return *model;
}

ChoiceRequest mmlu_shaped(const LoadedModel& model, int64_t answer_tokens, const Json& protocol,
                          int prompt_tokens = 600) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> token(0, model.ids.mask_id - 2);  // below eos / mask
  ChoiceRequest r;
  r.contexts.emplace_back();
  for (int i = 0; i < prompt_tokens; ++i) r.contexts[0].push_back(token(rng));
  for (int c = 0; c < 4; ++c) {
    r.continuations.emplace_back();
    for (int64_t i = 0; i < answer_tokens; ++i) r.continuations.back().push_back(token(rng));
  }
  r.protocol = protocol;
  return r;
}

const char* const kEstimators[] = {"mc_elbo", "conf_single", "conf_greedy", "letter"};

// Args: model (0 tiny, 1 random 25M), answer tokens, estimator index, mc_num, batched (0/1).
void BM_ChoiceQuestion(benchmark::State& state) {
  const LoadedModel& model = state.range(0) == 0 ? tiny_model() : random_25m_model();
  const int64_t answer = state.range(1), mc_num = state.range(3);
  const std::string estimator = kEstimators[state.range(2)];
  Json protocol{{"estimator", estimator}};
  if (estimator == "mc_elbo") {
    protocol["mc_num"] = mc_num;
    protocol["batch_size"] = std::min<int64_t>(16, mc_num);
  }
  ScoringOptions options;
  if (state.range(4) == 0) {
    options.batch_continuations = false;
    options.share_identical_rows = false;
    options.max_rows_per_forward = estimator == "mc_elbo" ? std::min<int64_t>(16, mc_num) : 1;
  }
  const ChoiceRequest request = mmlu_shaped(model, answer, protocol);
  // One thread on the tiny model, as the official side-by-side runs it (bench/official/side_by_side.py:
  // tiny, 600-token prompt, 20-token answers, mc_num 128, batch 16); two on the 25M model.
  torch::set_num_threads(state.range(0) == 0 ? 1 : 2);
  int64_t passes = 0;
  for (auto _ : state) {
    const auto results = score_choice_requests(model, {request}, options);
    passes = results[0].forward_passes;
    benchmark::DoNotOptimize(results);
  }
  state.counters["questions/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["forwards"] = static_cast<double>(passes);
  state.SetLabel(std::string(state.range(0) == 0 ? "tiny " : "25M ") + estimator +
                 (estimator == "mc_elbo" ? "/" + std::to_string(mc_num) : "") + " answer " + std::to_string(answer) +
                 (state.range(4) ? " batched" : " naive"));
}

void question_args(benchmark::internal::Benchmark* b) {
  for (int64_t batched : {0, 1}) {
    for (int64_t answer : {1, 20}) {
      // tiny: every configuration
      for (int64_t mc : {1, 8, 128}) b->Args({0, answer, 0, mc, batched});
      b->Args({0, answer, 1, 0, batched});
      b->Args({0, answer, 2, 0, batched});
      if (answer == 1) b->Args({0, answer, 3, 0, batched});
      // 25M: mc_num 128 (512 rows of 620 tokens) takes minutes per question on two cores; skipped.
      for (int64_t mc : {1, 8}) b->Args({1, answer, 0, mc, batched});
      b->Args({1, answer, 1, 0, batched});
      if (answer == 1) {
        b->Args({1, answer, 2, 0, batched});
        b->Args({1, answer, 3, 0, batched});
      }
    }
  }
}
BENCHMARK(BM_ChoiceQuestion)->Apply(question_args)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Variance over seeds of (estimate of choice A - estimate of choice B), two 20-token choices that
// differ in 5 tokens after a 120-token prompt (shorter than above to keep 2 x 24 runs cheap),
// mc_elbo with mc_num 16 on the tiny model, with and without CRN. A ratio r means CRN reaches the
// same precision on the difference with about r times the Monte-Carlo rows.
void BM_ChoiceCrnVariance(benchmark::State& state) {
  const LoadedModel& model = tiny_model();
  const int seeds = 24;
  ChoiceRequest base = mmlu_shaped(model, 20, Json::object(), 120);
  base.continuations.resize(2);
  base.continuations[1] = base.continuations[0];
  for (int i = 0; i < 5; ++i) base.continuations[1][i * 4] = (base.continuations[1][i * 4] + 7) % 1000;
  double var[2] = {0, 0};
  for (auto _ : state) {
    for (int crn = 0; crn < 2; ++crn) {
      std::vector<double> diffs;
      for (int s = 0; s < seeds; ++s) {
        ChoiceRequest r = base;
        r.protocol = {{"estimator", "mc_elbo"}, {"mc_num", 16}, {"crn", crn == 1}};
        r.seed = static_cast<uint64_t>(s);
        const auto res = score_choice_requests(model, {r})[0];
        diffs.push_back(res.loglik[0] - res.loglik[1]);
      }
      double mean = 0;
      for (double d : diffs) mean += d / seeds;
      var[crn] = 0;
      for (double d : diffs) var[crn] += (d - mean) * (d - mean) / (seeds - 1);
    }
  }
  state.counters["var_diff_independent"] = var[0];
  state.counters["var_diff_crn"] = var[1];
  state.counters["crn_variance_ratio"] = var[1] / var[0];
}
BENCHMARK(BM_ChoiceCrnVariance)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
