#pragma once
// Shared helpers of the choice-scoring tests: golden likelihood pairs and a cached model per name.
#include <map>
#include <memory>
#include <string>

#include "golden_paths.h"
#include "harness/core/json_io.h"
#include "runners/model.h"
#include "test_device.h"

namespace dlmeval::test {

inline const LoadedModel& cached_model(const std::string& name) {
  static std::map<std::string, std::shared_ptr<LoadedModel>> models;
  auto& slot = models[name];
  if (!slot) slot = load_model(checkpoint(name), runtime_options());
  return *slot;
}

inline const Json& likelihood_golden(const std::string& name) {
  static std::map<std::string, Json> files;
  auto& slot = files[name];
  if (slot.is_null()) slot = read_json_file(expected(name, "likelihood.json"));
  return slot;
}

inline TokenIds ids_of(const Json& j) { return j.get<TokenIds>(); }

}  // namespace dlmeval::test
