#include "scorers/execution_policy.h"

#include <algorithm>
#include <cmath>

#include "harness/core/error.h"

namespace dlmeval {

std::string rule_name(ExecutionPolicy::Rule rule) { return rule == ExecutionPolicy::Rule::Fixed ? "fixed" : "evalplus"; }

ExecutionPolicy ExecutionPolicy::from_settings(const std::string& rule, std::optional<double> timeout_s) {
  ExecutionPolicy policy;
  if (rule == "evalplus") {
    policy.rule = Rule::EvalPlus;
    policy.timeout_s = 4.0;
  } else if (rule != "fixed" && !rule.empty()) {
    throw UserError("code timeout rule '" + rule + "' is unknown (fixed or evalplus)");
  }
  if (timeout_s) {
    if (!(*timeout_s > 0) || !std::isfinite(*timeout_s))
      throw UserError("code timeout must be a positive number of seconds, got " + std::to_string(*timeout_s));
    policy.timeout_s = *timeout_s;
  }
  return policy;
}

SandboxLimits ExecutionPolicy::limits(double seconds) const {
  SandboxLimits limits;
  limits.wall_seconds = seconds;
  limits.cpu_seconds = std::ceil(seconds);
  limits.memory_bytes = memory_bytes;
  limits.allow_unsandboxed = allow_unsandboxed;
  return limits;
}

double ExecutionPolicy::timeout_for_reference(double reference_seconds) const {
  return std::max(timeout_s, reference_factor * reference_seconds);
}

Json ExecutionPolicy::to_json() const {
  Json j = {{"rule", rule_name(rule)}, {"timeout_s", timeout_s}, {"memory_bytes", memory_bytes}};
  if (rule == Rule::EvalPlus) j["reference_factor"] = reference_factor;
  return j;
}

}  // namespace dlmeval
