// Protocol JSON: kind detection, generation and choice normalisation and parsing, fingerprints, and
// ablation grids over a protocol's "axes" member.
#include "harness/core/protocol.h"
#include "harness/core/protocol_grid.h"
#include "harness/protocol_presets.h"
#include "runners/choice/choice_protocol.h"
#include "runners/samplers/generation_protocol.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  Json j;
  if (!fuzz::parse_json(data, size, j)) return 0;
  fuzz::only_user_errors([&] {
    const Protocol p = Protocol::from_json(j, "fuzz");
    (void)p.fingerprint();
    (void)p.to_json();
  });
  fuzz::only_user_errors([&] {
    const ProtocolKind kind = protocol_kind(j, "protocol.json");
    const Json runner = runner_protocol(j);
    if (kind == ProtocolKind::Generation) {
      const Json normalized = normalize_generation_protocol(runner);
      // A normalised protocol is a fixed point and parses.
      if (normalize_generation_protocol(normalized) != normalized) std::abort();
      SpecialIds ids;
      ids.mask_id = 5;
      ids.eos_id = 2;
      (void)parse_generation_protocol(runner, ids);
    } else {
      const Json normalized = normalize_choice_protocol(runner);
      if (normalize_choice_protocol(normalized) != normalized) std::abort();
      (void)parse_choice_protocol(runner);
    }
  });
  if (j.is_object() && j.contains("axes")) {
    fuzz::only_user_errors([&] {
      size_t points = 1;
      if (j["axes"].is_object())
        for (const auto& [k, v] : j["axes"].items())
          if (v.is_array()) points *= std::max<size_t>(1, v.size());
      if (points > 4096) return;  // a Cartesian product, legitimately huge
      (void)expand_protocol_grid(j.value("base", Json::object()), j["axes"], "grid", "grid.json");
    });
  }
  return 0;
}
