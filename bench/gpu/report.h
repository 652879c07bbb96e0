#pragma once
// The GPU benchmark's outputs: JSON with every number, and the short markdown table printed last.
#include <optional>
#include <string>
#include <vector>

#include "bench/gpu/measure.h"
#include "harness/core/json_io.h"

namespace dlmeval::gpubench {

Json to_json(const ForwardMeasurement& m);
Json to_json(const GenerationMeasurement& m);

// One row per measurement: what, batch, throughput, time, passes, tokens per step, peak memory, how.
// `dtype` names the compute dtype in the forward row.
std::string markdown_table(const std::optional<ForwardMeasurement>& forward, const std::vector<GenerationMeasurement>& runs,
                           const std::string& dtype);

}  // namespace dlmeval::gpubench
