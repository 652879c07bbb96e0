#pragma once
// Protocol fields the harness interprets itself; they are part of the fingerprint but never reach
// the runner's samplers and estimators, whose rules check every other field:
//   chat           the prompt goes through the checkpoint's chat template
//   add_bos_token  the BOS id before every prompt and choice context (Dream's evaluation)
//   escape_until   the task's `until` strings neither stop nor cut an answer (Dream's HumanEval)
// Header-only, so that the runtime-only build's tests read the same list.
#include <string>
#include <vector>

namespace dlmeval {

inline const std::vector<std::string>& harness_protocol_fields() {
  static const std::vector<std::string> fields = {"chat", "add_bos_token", "escape_until"};
  return fields;
}

}  // namespace dlmeval
