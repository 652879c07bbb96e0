#include "bench/gpu/report.h"

#include <cstdint>
#include <cstdio>

namespace dlmeval::gpubench {
namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// About three significant figures whatever the magnitude (samples/s spans 0.001 to 1000s), never
// in exponent form.
std::string sig3(double v) {
  if (v >= 100) return fixed(v, 0);
  if (v >= 10) return fixed(v, 1);
  if (v >= 1) return fixed(v, 2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// Model calls: whole numbers unless extrapolated.
std::string count(double v) { return v == static_cast<double>(static_cast<int64_t>(v)) ? fixed(v, 0) : fixed(v, 1); }

Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

std::string memory_cell(const std::optional<double>& gib) { return gib ? fixed(*gib, 1) : "-"; }

}  // namespace

Json to_json(const ForwardMeasurement& m) {
  return {{"batch", m.batch},
          {"tokens", m.tokens},
          {"iterations", m.iterations},
          {"status", m.status},
          {"seconds_per_call_median", m.seconds_per_call},
          {"tokens_per_second", m.tokens_per_second},
          {"flops_per_call", m.flops_per_call},
          {"achieved_tflops", m.achieved_tflops},
          {"mfu", optional_number(m.mfu)},
          {"peak_memory_gib", optional_number(m.peak_memory_gib)}};
}

Json to_json(const GenerationMeasurement& m) {
  return {{"protocol", m.protocol},
          {"settings", m.settings},
          {"batch", m.batch},
          {"prompt_length", m.prompt_length},
          {"status", m.status},
          {"method", m.method},
          {"measured_seconds", m.measured_seconds},
          {"steps_run", m.steps_run},
          {"passes_run", m.passes_run},
          {"seconds_per_batch", m.seconds_per_batch},
          {"samples_per_second", m.samples_per_second},
          {"passes_per_batch", m.passes_per_batch},
          {"tokens_per_step_per_row", m.tokens_per_step},
          {"peak_memory_gib", optional_number(m.peak_memory_gib)}};
}

std::string markdown_table(const std::optional<ForwardMeasurement>& forward, const std::vector<GenerationMeasurement>& runs,
                           const std::string& dtype) {
  std::string t =
      "| measurement | batch | throughput | seconds | passes | tokens/step/row | peak GiB | how |\n"
      "|---|---|---|---|---|---|---|---|\n";
  if (forward) {
    const auto& f = *forward;
    std::string throughput = f.status != "ok" ? f.status
                                              : sig3(f.tokens_per_second) + " tokens/s, " + sig3(f.achieved_tflops) +
                                                    " TFLOP/s" + (f.mfu ? ", MFU " + fixed(100.0 * *f.mfu, 1) + "%" : "");
    t += "| forward " + dtype + ", " + std::to_string(f.tokens) + " tokens | " + std::to_string(f.batch) + " | " + throughput + " | " +
         (f.status == "ok" ? fixed(f.seconds_per_call, 3) + " per call" : "-") + " | 1 | - | " + memory_cell(f.peak_memory_gib) +
         " | median of " + std::to_string(f.iterations) + " |\n";
  }
  for (const auto& r : runs) {
    const bool ok = r.status == "ok";
    t += "| " + r.protocol + " | " + std::to_string(r.batch) + " | " + (ok ? sig3(r.samples_per_second) + " samples/s" : r.status) +
         " | " + (ok ? sig3(r.seconds_per_batch) + " per batch" : "-") + " | " + (ok ? count(r.passes_per_batch) : "-") + " | " +
         (ok ? fixed(r.tokens_per_step, 2) : "-") + " | " + memory_cell(r.peak_memory_gib) + " | " + (ok ? r.method : "-") +
         " |\n";
  }
  return t;
}

}  // namespace dlmeval::gpubench
