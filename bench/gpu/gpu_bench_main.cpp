// dlmeval_gpu_bench: speed of an iLLaDA-8B-shaped model (random bf16 weights made on the device)
// under the LLaDA GSM8K protocol and its fast variants, plus forward throughput and model FLOP
// utilisation. Built in every mode; `--small` runs a CPU-sized model of the same family so the
// program is exercised where there is no GPU. Prints notes, then a markdown table last; writes
// every number as JSON to --json (default $OUT/gpu_bench.json when OUT is set).
//
//   dlmeval_gpu_bench [--device cuda|cpu] [--small] [--dtype bf16|f32] [--peak-tflops 989]
//                     [--budget-s 200] [--max-batch N] [--forward-iters N] [--steps N] [--json PATH]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/gpu/bench_model.h"
#include "runners/device.h"
#include "bench/gpu/measure.h"
#include "bench/gpu/report.h"
#include "harness/core/omp_env.h"
#include "harness/core/error.h"
#include "runners/checkpoint.h"
#include "runners/runtime_info.h"

namespace {

using namespace dlmeval;
using namespace dlmeval::gpubench;
using Clock = std::chrono::steady_clock;

// Dense bf16 peak of an H100 / H200 SXM by the vendor's datasheet (without sparsity).
constexpr double kHopperDenseBf16Tflops = 989.0;

struct Flags {
  std::string device;
  bool small = false;
  std::string dtype = "bf16";  // f32 only to keep CPU smoke runs short
  double peak_tflops = -1;  // <0: the Hopper bf16 figure on CUDA in bf16, else none
  double budget_s = 200;    // wall-clock budget of the generation measurements
  int64_t max_batch = 0;    // 0: 256 on CUDA, 4 on the CPU
  int forward_iters = 0;    // 0: 5 on CUDA, 2 on the CPU
  int64_t steps = 8;        // steps timed per cache-free protocol at the largest batch
  std::string json_path;
};

const char* kUsage =
    "usage: dlmeval_gpu_bench [--device cuda|cpu] [--small] [--dtype bf16|f32] [--peak-tflops T]\n"
    "                         [--budget-s S] [--max-batch N] [--forward-iters N] [--steps N] [--json PATH]\n";

Flags parse_flags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UserError(a + " needs a value");
      return argv[++i];
    };
    if (a == "--small") f.small = true;
    else if (a == "--device") f.device = value();
    else if (a == "--dtype") f.dtype = value();
    else if (a == "--peak-tflops") f.peak_tflops = std::stod(value());
    else if (a == "--budget-s") f.budget_s = std::stod(value());
    else if (a == "--max-batch") f.max_batch = std::stoll(value());
    else if (a == "--forward-iters") f.forward_iters = std::stoi(value());
    else if (a == "--steps") f.steps = std::stoll(value());
    else if (a == "--json") f.json_path = value();
    else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else {
      throw UserError("unknown argument '" + a + "'\n" + kUsage);
    }
  }
  const bool cuda = torch::cuda::is_available();
  if (f.device.empty()) f.device = cuda ? "cuda" : "cpu";
  const bool on_cuda = f.device.rfind("cuda", 0) == 0;
  const bool bf16 = f.dtype == "bf16" || f.dtype == "bfloat16";
  if (f.peak_tflops < 0) f.peak_tflops = on_cuda && bf16 ? kHopperDenseBf16Tflops : 0;
  if (f.max_batch <= 0) f.max_batch = on_cuda ? 256 : 4;
  if (f.forward_iters <= 0) f.forward_iters = on_cuda ? 5 : 2;
  if (f.json_path.empty()) {
    const char* out = std::getenv("OUT");
    if (out != nullptr && *out != '\0') f.json_path = (std::filesystem::path(out) / "gpu_bench.json").string();
  }
  return f;
}

// A protocol preset of the repository with its bookkeeping fields removed; early exit off so
// every run decodes the whole canvas (random weights would only rarely commit an EOS anyway).
Json preset(const std::string& file) {
  Json p = read_json_file(std::string(DLMEVAL_SOURCE_DIR) + "/presets/protocols/generation/" + file);
  p.erase("name");
  p.erase("description");
  p["early_exit"] = false;
  return p;
}

struct NamedProtocol {
  std::string name;
  Json protocol;
};

// The LLaDA GSM8K protocol and the fast variants, as the presets define them; `--small` shortens
// the canvas to 64 tokens (2 blocks of 32).
std::vector<NamedProtocol> protocols(bool small) {
  Json prefix = preset("llada-gsm8k.json");
  prefix["sampler"] = "llada_prefix_cache";
  std::vector<NamedProtocol> out = {{"llada (GSM8K)", preset("llada-gsm8k.json")},
                                    {"llada_threshold 0.9", preset("llada-gsm8k-threshold.json")},
                                    {"llada_dual_cache + threshold 0.9", preset("llada-gsm8k-dual-cache.json")},
                                    {"llada_prefix_cache", prefix}};
  if (small) {
    for (auto& p : out) {
      p.protocol["gen_length"] = 64;
      p.protocol["steps"] = 64;
    }
  }
  return out;
}

bool has_cache(const Json& protocol) {
  const std::string s = protocol["sampler"].get<std::string>();
  return s == "llada_dual_cache" || s == "llada_prefix_cache";
}

// Wall-clock seconds left for the generation measurements.
class Budget {
 public:
  explicit Budget(double seconds)
      : end_(Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds))) {}
  double left() const { return std::chrono::duration<double>(end_ - Clock::now()).count(); }

 private:
  Clock::time_point end_;
};

GenerationMeasurement skipped(const NamedProtocol& p, int64_t batch, int64_t prompt_length, const std::string& why) {
  GenerationMeasurement m;
  m.protocol = p.name;
  m.settings = p.protocol;
  m.batch = batch;
  m.prompt_length = prompt_length;
  m.status = "skipped: " + why;
  return m;
}

// Doubling from 2 until a first step runs out of memory, the cap, or the time estimate says stop;
// then one probe half-way between the last fit and the first failure.
struct BatchSearch {
  int64_t largest = 1;
  std::string how;
  Json probes = Json::array();
};

BatchSearch largest_batch(const Transformer& net, const SpecialIds& ids, const Json& protocol, int64_t prompt_length,
                          int64_t cap, double seconds_per_row_step, const Budget& budget) {
  BatchSearch s;
  int64_t failed = 0;
  auto affordable = [&](int64_t b) { return 2.0 * seconds_per_row_step * static_cast<double>(b) < 0.1 * budget.left(); };
  std::string outcome;
  auto probe = [&](int64_t b) {
    bool fits = false;
    try {
      fits = batch_fits(net, ids, protocol, b, prompt_length);
      outcome = fits ? "fits" : "out of memory";
    } catch (const std::exception& e) {
      outcome = "error: " + first_line(e);
    }
    s.probes.push_back({{"batch", b}, {"fits", fits}, {"outcome", outcome}});
    std::printf("  batch %lld: %s\n", static_cast<long long>(b), outcome.c_str());
    std::fflush(stdout);
    return fits;
  };
  std::string stop = "cap --max-batch " + std::to_string(cap);
  for (int64_t b = 2; b <= cap; b *= 2) {
    if (!affordable(b)) {
      stop = "time budget at batch " + std::to_string(b);
      break;
    }
    if (!probe(b)) {
      failed = b;
      stop = outcome + " at batch " + std::to_string(b);
      break;
    }
    s.largest = b;
  }
  if (failed > 0 && failed - s.largest > 1) {
    const int64_t mid = s.largest + (failed - s.largest) / 2;
    if (affordable(mid) && probe(mid)) s.largest = mid;
  }
  s.how = "doubling from 2 until " + stop + (failed > 0 ? ", then one probe half-way" : "");
  return s;
}

int run(int argc, char** argv) {
  const Flags flags = parse_flags(argc, argv);
  const torch::Device device = parse_device(flags.device);
  const torch::ScalarType dtype = parse_compute_dtype(flags.dtype);
  if (device.is_cpu()) torch::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  const DeviceDescription where = describe(device);
  const Json config_json = flags.small ? small_config_json() : illada_8b_config_json();
  const ModelConfig config = parse_model_config(config_json, flags.small ? "small bench config" : "iLLaDA-8B-shaped config");
  const SpecialIds ids = bench_special_ids(config);
  const int64_t prompt_length = flags.small ? 48 : 800;
  const int64_t forward_batch = flags.small ? 2 : 8, forward_tokens = flags.small ? 128 : 1024;

  const std::string memory = where.total_memory_gib ? ", " + std::to_string(static_cast<int>(*where.total_memory_gib)) + " GiB" : "";
  std::printf("dlmeval_gpu_bench: %s on %s%s (LibTorch %s)\n", flags.small ? "small shape" : "iLLaDA-8B shape",
              where.name.c_str(), memory.c_str(), libtorch_version().c_str());
  std::fflush(stdout);
  const auto init_start = Clock::now();
  auto net = random_transformer(config, device, dtype, 1234);
  synchronize(device);
  const double init_seconds = std::chrono::duration<double>(Clock::now() - init_start).count();
  double weight_bytes = 0;
  for (const auto& t : net->weights().all()) weight_bytes += static_cast<double>(t.numel() * t.element_size());
  std::printf("  %.3f B parameters, %.2f GiB of %s weights made on %s in %.1f s\n",
              static_cast<double>(config.parameter_count()) / 1e9, weight_bytes / (1024.0 * 1024.0 * 1024.0),
              flags.dtype.c_str(), device.str().c_str(), init_seconds);
  std::fflush(stdout);

  Json report = {{"device", device.str()},
                 {"device_name", where.name},
                 {"device_memory_gib", where.total_memory_gib ? Json(*where.total_memory_gib) : Json(nullptr)},
                 {"libtorch", libtorch_version()},
                 {"shape", flags.small ? "small" : "illada-8b"},
                 {"dtype", flags.dtype},
                 {"config_json", config_json},
                 {"parameters", config.parameter_count()},
                 {"weights_gib", weight_bytes / (1024.0 * 1024.0 * 1024.0)},
                 {"weights_init_seconds", init_seconds},
                 {"peak_tflops_for_mfu", flags.peak_tflops},
                 {"flop_formula",
                  "forward FLOPs per sequence of T tokens = 2 * N_matmul * T + 4 * n_layers * T^2 * d_model, N_matmul = "
                  "n_layers * (2 d^2 + 2 d kv + 3 d mlp) + d * vocab (the LM head); attention scores and weighted sum "
                  "counted once each, without a causal discount (the model is bidirectional)"}};

  std::printf("forward: batch %lld x %lld tokens, %s\n", static_cast<long long>(forward_batch),
              static_cast<long long>(forward_tokens), flags.dtype.c_str());
  std::fflush(stdout);
  const ForwardMeasurement forward = measure_forward(*net, forward_batch, forward_tokens, flags.forward_iters, flags.peak_tflops);
  report["forward"] = to_json(forward);

  const auto named = protocols(flags.small);
  const int64_t gen_length = named.front().protocol["gen_length"].get<int64_t>();
  std::string max_probability = "unknown";
  try {
    const double p = max_masked_probability(*net, ids, prompt_length, gen_length);
    report["max_masked_token_probability"] = p;
    max_probability = std::to_string(p);
  } catch (const std::exception& e) {
    report["max_masked_token_probability"] = "error: " + first_line(e);
  }

  Budget budget(flags.budget_s);
  std::vector<GenerationMeasurement> runs;
  // Batch 1: whole runs where they fit in their share of the budget, else extrapolated.
  for (size_t i = 0; i < named.size(); ++i) {
    const auto& p = named[i];
    if (budget.left() < 1.0) {
      runs.push_back(skipped(p, 1, prompt_length, "time budget"));
      continue;
    }
    const double share = std::max(budget.left() * (i == 0 ? 0.25 : 0.2), std::min(budget.left(), 1.0));
    std::printf("generate: %s, batch 1 (at most %.0f s)\n", p.name.c_str(), share);
    std::fflush(stdout);
    runs.push_back(measure_generation(*net, ids, p.name, p.protocol, 1, prompt_length, RunLimit{-1, -1, share}));
  }

  // The largest batch that fits, found with the exact protocol (its steps are the costliest).
  const auto& b1 = runs.front();
  const double row_step = b1.status == "ok" && b1.passes_per_batch > 0 ? b1.seconds_per_batch / b1.passes_per_batch : 1.0;
  std::printf("largest batch (llada, prompt %lld + %lld):\n", static_cast<long long>(prompt_length), static_cast<long long>(gen_length));
  std::fflush(stdout);
  const BatchSearch search = largest_batch(*net, ids, named.front().protocol, prompt_length, flags.max_batch, row_step, budget);
  report["largest_batch"] = {{"batch", search.largest}, {"how", search.how}, {"probes", search.probes}};
  if (search.largest > 1) {
    for (size_t i = 0; i < named.size(); ++i) {
      const auto& p = named[i];
      if (budget.left() < 1.0) {
        runs.push_back(skipped(p, search.largest, prompt_length, "time budget"));
        continue;
      }
      // An equal share of what is left, but never so little that a first step cannot finish.
      const double share = std::max(budget.left() / static_cast<double>(named.size() - i), std::min(budget.left(), 2.0));
      // Cache-free protocols cost the same every step: a few steps stand for the run. Cache
      // protocols alternate full and window passes: one whole block stands for the run.
      const RunLimit limit = has_cache(p.protocol) ? RunLimit{-1, 1, share} : RunLimit{flags.steps, -1, share};
      std::printf("generate: %s, batch %lld (at most %.0f s)\n", p.name.c_str(), static_cast<long long>(search.largest), share);
      std::fflush(stdout);
      auto m = measure_generation(*net, ids, p.name, p.protocol, search.largest, prompt_length, limit);
      if (m.status == "out of memory" && search.largest >= 2) {
        // A cache's recorded keys and values can tip a batch the exact protocol fits over.
        m = measure_generation(*net, ids, p.name, p.protocol, search.largest / 2, prompt_length, limit);
      }
      runs.push_back(m);
    }
  }
  report["generation"] = Json::array();
  for (const auto& r : runs) report["generation"].push_back(to_json(r));

  std::vector<std::string> notes = {
      "Weights are random: the largest next-token probability at a masked position was " + max_probability +
          " (the threshold is 0.9), so the threshold protocols commit one token per row per step like the fixed "
          "schedule (see tokens/step/row). On a trained model they commit more per step; here they measure the cost of "
          "a pass.",
      "Every protocol decodes its whole canvas (early exit off); prompts are " + std::to_string(prompt_length) +
          " random ordinary ids; samples/s = batch / seconds for the whole protocol.",
      "'extrapolated from k of n blocks': blocks repeat the same work, so the blocks timed stand for the rest "
      "(prefix cache: later blocks recompute fewer positions, so its time is over-stated). 'from k steps': cache-free "
      "protocols cost the same every step.",
      std::string("Forward FLOPs = 2 * N_matmul * T + 4 * n_layers * T^2 * d_model per sequence (its time includes ") +
          "the float32 copy of the logits the forward returns, as the official forward does); MFU against " +
          (flags.peak_tflops > 0 ? std::to_string(static_cast<int>(flags.peak_tflops)) + " TFLOP/s peak" : "no peak rate (none given)") +
          ".",
      "Largest batch: " + std::to_string(search.largest) + " (" + search.how + ").",
      "Peak GiB: the caching allocator's peak of memory held by tensors during the timed part, weights included.",
  };
  report["notes"] = notes;
  const std::string table = markdown_table(forward, runs, flags.dtype);
  report["table_markdown"] = table;
  if (!flags.json_path.empty()) write_json_file_atomic(flags.json_path, report);

  std::printf("\nNotes:\n");
  for (const auto& n : notes) std::printf("- %s\n", n.c_str());
  if (!flags.json_path.empty()) std::printf("- Details: %s\n", flags.json_path.c_str());
  std::printf("\n%s", table.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  dlmeval::ensure_passive_omp_wait(argv);
  try {
    return run(argc, argv);
  } catch (const UserError& e) {
    std::fprintf(stderr, "dlmeval_gpu_bench: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dlmeval_gpu_bench: %s\n", e.what());
    return 1;
  }
}
