// config.json: architecture, sizes, ids, and everything derived from them before loading weights
// (the expected tensors, parameter and FLOP counts, the memory estimate).
#include "runners/io/memory_estimate.h"
#include "runners/io/model_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  Json config;
  if (!fuzz::parse_json(data, size, config)) return 0;
  fuzz::only_user_errors([&] {
    const ModelConfig c = parse_model_config(config, "config.json");
    volatile double sink = static_cast<double>(c.parameter_count()) + forward_flops(c, 512, 512, 512, 16);
    sink = sink + estimate_forward_memory(c, ForwardShape{8, 1024, 2, true}).total_bytes;
    (void)c.expected_tensors();
  });
  return 0;
}
