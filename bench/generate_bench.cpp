// Generation speed of the samplers: samples/s and forward passes per sample, on the tiny golden
// LLaDA checkpoint and on a random ~25M-parameter LLaDA (d_model 512, 8 layers, 8 heads, MLP
// 1408, vocabulary 32000). One iteration each, a 200-token prompt of ordinary ids and early exit
// off, as in bench/official/side_by_side.py (so the seconds per sample here sit beside the
// official code's there): llada_gsm8k on the tiny model at 1 and 2 threads, llada_gen64 on the
// 25M model at 2 threads, the rest at 1 thread. Early exit off makes every protocol decode its
// whole canvas (iLLaDA's canvas still stops growing at EOS, by definition). Protocols: llada_gsm8k = generate.py with gen 256, steps 256, block 32;
// llada_gen64 = the same with gen 64, steps 64 (a cheap batching comparison on the 25M model);
// illada_varlen = blocks of 32 (32 steps each) up to 256; threshold_0.9 = llada_threshold;
// dual_cache (fixed count) and dual_cache_threshold_0.9 = llada_dual_cache on the GSM8K canvas.
//   ./dlmeval_bench --benchmark_filter=Generate
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include "runners/model.h"
#include "runners/samplers/sampler.h"

namespace {

using dlmeval::Json;

struct BenchModel {
  std::shared_ptr<dlmeval::Transformer> net;
  dlmeval::SpecialIds ids;
};

const BenchModel& tiny_model() {
  static BenchModel m = [] {
    dlmeval::RuntimeOptions options;
    options.threads = 1;
    auto loaded = dlmeval::load_model(std::string(DLMEVAL_SHARED_DIR) + "/golden/checkpoints/llada-tiny", options);
    BenchModel b{loaded->net, loaded->ids};
    b.ids.eot_id = 1022;
    return b;
  }();
  return m;
}

const BenchModel& random_25m_model() {
  static BenchModel m = [] {
    dlmeval::ModelConfig c;
    c.architecture = dlmeval::Architecture::LLaDA;
    c.architecture_name = "LLaDAModelLM";
    c.d_model = 512;
    c.n_layers = 8;
    c.n_heads = 8;
    c.n_kv_heads = 8;
    c.head_dim = 64;
    c.mlp_hidden = 1408;
    c.vocab_size = 32000;
    c.rope_theta = 500000;
    c.rms_eps = 1e-5;
    c.max_sequence_length = 4096;
    c.mask_token_id = 31999;
    c.eos_token_id = 31998;
    auto weights = dlmeval::random_weights(c, 1234, torch::kCPU, torch::kFloat32);
    BenchModel b{std::make_shared<dlmeval::Transformer>(c, std::move(weights), torch::kCPU, torch::kFloat32), {}};
    b.ids.mask_id = 31999;
    b.ids.eos_id = 31998;
    b.ids.eot_id = 31997;
    b.ids.pad_id = 31998;
    return b;
  }();
  return m;
}

Json protocol_named(const std::string& name) {
  const Json gsm8k = {{"gen_length", 256}, {"steps", 256}, {"block_length", 32}, {"early_exit", false}};
  Json p = gsm8k;
  if (name == "llada_gsm8k") p["sampler"] = "llada";
  if (name == "threshold_0.9") p["sampler"] = "llada_threshold", p["threshold"] = 0.9;
  if (name == "dual_cache") p["sampler"] = "llada_dual_cache";
  if (name == "dual_cache_threshold_0.9") p["sampler"] = "llada_dual_cache", p["threshold"] = 0.9;
  if (name == "llada_gen64") p = {{"sampler", "llada"}, {"gen_length", 64}, {"steps", 64}, {"block_length", 32}, {"early_exit", false}};
  if (name == "illada_varlen")
    p = {{"sampler", "illada_varlen"}, {"block_length", 32}, {"steps_per_block", 32}, {"max_length", 256}};
  return p;
}

constexpr int64_t kPromptTokens = 200;

void run(benchmark::State& state, const BenchModel& model, const std::string& protocol_name) {
  const int64_t batch = state.range(0);
  torch::set_num_threads(static_cast<int>(state.range(1)));
  const auto settings = dlmeval::parse_generation_protocol(protocol_named(protocol_name), model.ids);
  // Ordinary ids (below every special id of both models), the same prompt for every row.
  auto prompt = (torch::arange(kPromptTokens, torch::kLong) * 37 % 1000).unsqueeze(0).repeat({batch, 1});
  int64_t passes = 0, generated = 0;
  for (auto _ : state) {
    auto gen = at::detail::createCPUGenerator(0);
    auto out = dlmeval::generate_tokens(*model.net, settings, prompt, std::nullopt, gen);
    passes = out.forward_passes;
    generated = out.generated().size(1);
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
  state.counters["s/sample"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["passes/sample"] = static_cast<double>(passes);
  state.counters["canvas"] = static_cast<double>(generated);
}

}  // namespace

// Registered lazily so loading the models happens only when a generation benchmark runs.
static void register_generation_benchmarks() {
  for (const char* model_name : {"tiny", "random25m"}) {
    for (const char* protocol :
         {"llada_gsm8k", "llada_gen64", "illada_varlen", "threshold_0.9", "dual_cache", "dual_cache_threshold_0.9"}) {
      const std::string m = model_name, p = protocol;
      const std::string name = "Generate/" + m + "/" + p;
      auto* b = benchmark::RegisterBenchmark(name.c_str(), [m, p](benchmark::State& state) {
        state.SetLabel(p);
        run(state, m == "tiny" ? tiny_model() : random_25m_model(), p);
      });
      b->ArgNames({"batch", "threads"})->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
      // The side-by-side workloads at their thread counts, and batched; the rest at one thread.
      if (m == "tiny" && p == "llada_gsm8k") b->Args({1, 1})->Args({1, 2})->Args({8, 1});
      else if (m == "random25m" && p == "llada_gen64") b->Args({1, 2})->Args({8, 2});
      else b->Args({1, 1});
    }
  }
}

static const bool registered = (register_generation_benchmarks(), true);
