#pragma once
// A protocol is a named, fully specified JSON object (sampler or estimator and all its settings).
// Its fingerprint is the hash of its canonical JSON: two results are comparable only when their
// protocol fingerprints agree.
#include <string>

#include "harness/core/json_io.h"

namespace dlmeval {

struct Protocol {
  std::string name;  // e.g. "llada-gsm8k-gen256"; not part of the fingerprint
  Json settings;     // every field that can move a number

  // Canonical JSON: keys sorted (nlohmann's default object map), no whitespace.
  std::string canonical() const { return settings.dump(); }
  std::string fingerprint() const;
  Json to_json() const;
  static Protocol from_json(const Json& j, const std::string& fallback_name = "");
};

}  // namespace dlmeval
