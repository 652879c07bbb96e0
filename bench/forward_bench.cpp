// Forward throughput of the runtime next to the machine's fp32 matmul rate:
//   ./build/dlmeval_bench --benchmark_filter='Matmul|Forward'
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <thread>

#include "runners/model.h"

namespace {

using namespace dlmeval;

void set_threads() { torch::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))); }

void BM_MatmulF32(benchmark::State& state) {
  set_threads();
  const int64_t n = state.range(0);
  auto a = torch::randn({n, n}), b = torch::randn({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(torch::matmul(a, b));
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * static_cast<double>(n * n * n) * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MatmulF32)->Arg(1024)->Arg(2048)->Unit(benchmark::kMillisecond)->UseRealTime();

void run_forward(benchmark::State& state, const Transformer& net, int64_t batch, int64_t tokens) {
  torch::NoGradGuard no_grad;
  auto ids = torch::randint(0, net.config().vocab_size - 1, {batch, tokens}, torch::kLong);
  net.forward(ids, std::nullopt);  // warm-up
  for (auto _ : state) benchmark::DoNotOptimize(net.forward(ids, std::nullopt));
  const double iters = static_cast<double>(state.iterations());
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(batch * tokens) * iters, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(batch) * forward_flops(net.config(), tokens, tokens, tokens) * iters / 1e9,
                                                 benchmark::Counter::kIsRate);
  state.counters["params_M"] = static_cast<double>(net.config().parameter_count()) / 1e6;
}

void BM_ForwardGoldenTiny(benchmark::State& state) {
  set_threads();
  RuntimeOptions options;
  auto model = load_model(std::string(DLMEVAL_SHARED_DIR) + "/golden/checkpoints/llada-tiny", options);
  run_forward(state, *model->net, 8, 512);
}
BENCHMARK(BM_ForwardGoldenTiny)->Unit(benchmark::kMillisecond)->UseRealTime();

ModelConfig llada_25m_config() {
  Json config = {{"architectures", {"LLaDAModelLM"}}, {"d_model", 512}, {"n_layers", 8}, {"n_heads", 8},
                 {"n_kv_heads", 8}, {"mlp_hidden_size", 1408}, {"vocab_size", 32000}, {"embedding_size", 32000},
                 {"rope_theta", 500000.0}, {"rms_norm_eps", 1e-5}, {"mask_token_id", 31999}, {"eos_token_id", 2},
                 {"weight_tying", false}, {"max_sequence_length", 4096}};
  return parse_model_config(config, "llada-25m");
}

void BM_ForwardLLaDA25M(benchmark::State& state) {
  set_threads();
  auto config = llada_25m_config();
  auto dtype = state.range(0) == 0 ? torch::kFloat32 : torch::kBFloat16;
  Transformer net(config, random_weights(config, 0, torch::kCPU, dtype), torch::kCPU, dtype);
  run_forward(state, net, 8, 512);
  state.SetLabel(state.range(0) == 0 ? "f32" : "bf16");
}
BENCHMARK(BM_ForwardLLaDA25M)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
