#include "bench/gpu/measure.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "runners/device.h"
#include "runners/samplers/generation_protocol.h"
#include "runners/samplers/sampler.h"

namespace dlmeval::gpubench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Thrown from the step callback to end a generation early. Everything between the callback and
// generate_tokens' caller holds only tensors and RAII guards, so unwinding through it is safe.
struct StopRun {};

// Ordinary ids only: the bench configs keep their special ids in the top 16 of the vocabulary.
torch::Tensor random_ids(const ModelConfig& config, int64_t rows, int64_t length, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  return torch::randint(0, config.vocab_size - 16, {rows, length}, gen, torch::kLong);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Runs the first step of `settings` only (warm-up, or a memory probe).
void run_one_step(const Transformer& net, const GenerationSettings& settings, const torch::Tensor& prompt) {
  auto gen = at::detail::createCPUGenerator(0);
  const StepCallback stop = [](const StepInfo&) { throw StopRun{}; };
  try {
    generate_tokens(net, settings, prompt, std::nullopt, gen, nullptr, &stop);
  } catch (const StopRun&) {
  }
  synchronize(net.device());
}

}  // namespace

ForwardMeasurement measure_forward(const Transformer& net, int64_t batch, int64_t tokens, int iterations,
                                   double peak_tflops) {
  ForwardMeasurement m;
  m.batch = batch;
  m.tokens = tokens;
  m.iterations = iterations;
  m.flops_per_call = static_cast<double>(batch) * forward_flops(net.config(), tokens, tokens, tokens);
  torch::NoGradGuard no_grad;
  try {
    auto ids = random_ids(net.config(), batch, tokens, 1).to(net.device());
    net.forward(ids, std::nullopt);
    synchronize(net.device());
    reset_peak_memory(net.device());
    std::vector<double> times;
    for (int i = 0; i < iterations; ++i) {
      const auto start = Clock::now();
      auto logits = net.forward(ids, std::nullopt);
      synchronize(net.device());
      times.push_back(seconds_since(start));
    }
    m.peak_memory_gib = peak_memory_gib(net.device());
    m.seconds_per_call = median(times);
    m.tokens_per_second = static_cast<double>(batch * tokens) / m.seconds_per_call;
    m.achieved_tflops = m.flops_per_call / m.seconds_per_call / 1e12;
    if (peak_tflops > 0) m.mfu = m.achieved_tflops / peak_tflops;
  } catch (const std::exception& e) {
    // Reported in the table rather than thrown, so one failure leaves the other numbers standing.
    m.status = is_out_of_memory(e) ? "out of memory" : "error: " + first_line(e);
    release_cached_memory(net.device());
  }
  return m;
}

GenerationMeasurement measure_generation(const Transformer& net, const SpecialIds& ids, const std::string& name,
                                         const Json& protocol, int64_t batch, int64_t prompt_length, const RunLimit& limit) {
  GenerationMeasurement m;
  m.protocol = name;
  m.settings = protocol;
  m.batch = batch;
  m.prompt_length = prompt_length;
  const GenerationSettings s = parse_generation_protocol(protocol, ids);
  if (s.kind == SamplerKind::Dream || s.kind == SamplerKind::ILLaDAVarlen)
    throw std::invalid_argument("the GPU benchmark times fixed-canvas LLaDA protocols only");
  const int64_t G = s.gen_length, blocks = G / s.block_length, steps_per_block = s.steps / blocks;
  // The exact sampler runs every scheduled step; the fast ones end a block when it has no mask.
  const bool exact = s.kind == SamplerKind::LLaDA;
  const auto device = net.device();
  const auto prompt = random_ids(net.config(), batch, prompt_length, 7);
  torch::NoGradGuard no_grad;
  try {
    run_one_step(net, s, prompt);
    reset_peak_memory(device);
    int64_t steps = 0, complete_blocks = 0, steps_in_complete_blocks = 0, masks_left = batch * G;
    double block_end_seconds = 0;
    const auto start = Clock::now();
    const StepCallback record = [&](const StepInfo& info) {
      synchronize(device);
      ++steps;
      const auto generated = info.sequences.narrow(1, prompt_length, G);
      masks_left = (generated == s.mask_id).sum().item<int64_t>();
      const bool block_done =
          exact ? info.step == steps_per_block - 1
                : !(generated.narrow(1, info.block * s.block_length, s.block_length) == s.mask_id).any().item<bool>();
      const double now = seconds_since(start);
      if (block_done) {
        ++complete_blocks;
        steps_in_complete_blocks = steps;
        block_end_seconds = now;
      }
      if ((limit.max_steps >= 0 && steps >= limit.max_steps) || (limit.max_blocks >= 0 && complete_blocks >= limit.max_blocks) ||
          (limit.max_seconds > 0 && now >= limit.max_seconds))
        throw StopRun{};
    };
    auto gen = at::detail::createCPUGenerator(0);
    bool stopped = false;
    try {
      generate_tokens(net, s, prompt, std::nullopt, gen, nullptr, &record);
    } catch (const StopRun&) {
      stopped = true;
    }
    synchronize(device);
    m.measured_seconds = seconds_since(start);
    m.peak_memory_gib = peak_memory_gib(device);
    m.steps_run = steps;
    m.passes_run = steps;  // one model call per step in the LLaDA family (a guided call counts once)
    m.tokens_per_step = static_cast<double>(batch * G - masks_left) / static_cast<double>(batch * std::max<int64_t>(1, steps));
    const double n_blocks = static_cast<double>(blocks);
    if (!stopped || complete_blocks == blocks) {
      m.method = "measured: whole run";
      m.seconds_per_batch = stopped ? block_end_seconds : m.measured_seconds;
      m.passes_per_batch = static_cast<double>(steps);
    } else if (complete_blocks > 0) {
      // Every block of these protocols repeats the same work (a full canvas per step; or one
      // full pass and window passes with a cache), so the blocks that ran stand for the rest. For
      // the prefix cache, later blocks recompute fewer positions: its time is over-stated.
      const double k = static_cast<double>(complete_blocks);
      m.method = "extrapolated from " + std::to_string(complete_blocks) + " of " + std::to_string(blocks) + " blocks";
      m.seconds_per_batch = block_end_seconds * n_blocks / k;
      m.passes_per_batch = static_cast<double>(steps_in_complete_blocks) * n_blocks / k;
    } else {
      // Inside the first block: every step so far costs the same only without a cache.
      const double projected = exact ? static_cast<double>(s.steps) : std::ceil(static_cast<double>(G) / m.tokens_per_step);
      m.method = "extrapolated from " + std::to_string(steps) + " of ~" + std::to_string(static_cast<int64_t>(projected)) +
                 " steps" + (s.cache == CachePolicy::None ? "" : " (rough: cache steps differ)");
      m.seconds_per_batch = m.measured_seconds / static_cast<double>(steps) * projected;
      m.passes_per_batch = projected;
    }
    m.samples_per_second = static_cast<double>(batch) / m.seconds_per_batch;
  } catch (const std::exception& e) {
    m.status = is_out_of_memory(e) ? "out of memory" : "error: " + first_line(e);
    release_cached_memory(device);
  }
  return m;
}

double max_masked_probability(const Transformer& net, const SpecialIds& ids, int64_t prompt_length, int64_t gen_length) {
  torch::NoGradGuard no_grad;
  auto canvas = torch::cat({random_ids(net.config(), 1, prompt_length, 7), torch::full({1, gen_length}, ids.mask_id, torch::kLong)}, 1);
  auto logits = net.forward(canvas, std::nullopt).narrow(1, prompt_length, gen_length);
  return torch::softmax(logits, -1).max().item<double>();
}

bool batch_fits(const Transformer& net, const SpecialIds& ids, const Json& protocol, int64_t batch,
                int64_t prompt_length) {
  const GenerationSettings s = parse_generation_protocol(protocol, ids);
  torch::NoGradGuard no_grad;
  try {
    run_one_step(net, s, random_ids(net.config(), batch, prompt_length, 7));
    return true;
  } catch (const std::exception& e) {
    if (!is_out_of_memory(e)) throw;
    release_cached_memory(net.device());
    return false;
  }
}

}  // namespace dlmeval::gpubench
