#pragma once
// The GPU benchmark's measurements: forward throughput and generation protocols on one network.
// Every timing waits for the device (synchronize) before reading the host clock, after a warm-up
// call that keeps one-time costs (allocator growth, kernel selection) out of the numbers.
#include <torch/torch.h>

#include <optional>
#include <string>

#include "harness/core/json_io.h"
#include "runners/models/transformer.h"
#include "runners/runner.h"

namespace dlmeval::gpubench {

struct ForwardMeasurement {
  int64_t batch = 0, tokens = 0, iterations = 0;
  std::string status = "ok";  // or "out of memory", "error: ..."
  double seconds_per_call = 0;  // median over the iterations
  double tokens_per_second = 0;
  double flops_per_call = 0;  // batch * forward_flops(config, tokens, tokens, tokens)
  double achieved_tflops = 0;
  std::optional<double> mfu;  // achieved / peak, when a peak rate is given
  std::optional<double> peak_memory_gib;
};

// `iterations` timed calls of net.forward on random ids [batch, tokens] without a mask.
ForwardMeasurement measure_forward(const Transformer& net, int64_t batch, int64_t tokens, int iterations,
                                   double peak_tflops);

// When a timed generation stops early. A run that hits a limit is extrapolated (see method).
struct RunLimit {
  int64_t max_steps = -1;   // stop after this many denoising steps (-1: no limit)
  int64_t max_blocks = -1;  // stop after this many complete blocks (-1: no limit)
  double max_seconds = 0;   // stop once this much time has passed (0: no limit)
};

struct GenerationMeasurement {
  std::string protocol;  // short name
  Json settings;         // the protocol as run
  int64_t batch = 0, prompt_length = 0;
  std::string status = "ok";  // "ok", "out of memory", "error: ..." or "skipped: <why>"
  // "measured: whole run", "extrapolated from k of n blocks" or "extrapolated from k of ~n steps".
  std::string method;
  double measured_seconds = 0;
  int64_t steps_run = 0, passes_run = 0;
  double seconds_per_batch = 0;   // the whole protocol for `batch` prompts
  double samples_per_second = 0;  // batch / seconds_per_batch
  double passes_per_batch = 0;    // model calls of the whole protocol (each on the whole batch)
  double tokens_per_step = 0;     // tokens committed per row per step, over the steps that ran
  std::optional<double> peak_memory_gib;
};

// Times `protocol` on `batch` random prompts of `prompt_length` ids (never a special id).
GenerationMeasurement measure_generation(const Transformer& net, const SpecialIds& ids, const std::string& name,
                                         const Json& protocol, int64_t batch, int64_t prompt_length, const RunLimit& limit);

// The largest softmax probability at any masked position of one prompt followed by `gen_length`
// masks: what a confidence threshold is compared with on the protocol's first step.
double max_masked_probability(const Transformer& net, const SpecialIds& ids, int64_t prompt_length, int64_t gen_length);

// Whether one step of `protocol` at `batch` runs without running out of device memory (other
// errors are thrown).
bool batch_fits(const Transformer& net, const SpecialIds& ids, const Json& protocol, int64_t batch,
                int64_t prompt_length);

}  // namespace dlmeval::gpubench
