#include "runners/tokenizer/json_fields.h"

#include "harness/core/error.h"

namespace dlmeval::tokenizer {

std::string type_field(const Json& spec, const std::string& where) {
  if (!spec.is_object()) throw UserError(where + ": expected an object, got " + std::string(spec.type_name()));
  return string_field(spec, "type", where);
}

std::string pattern_source(const Json& spec, const std::string& where) {
  const Json& pattern = object_field(spec, "pattern", where);
  if (pattern.contains("String") && pattern["String"].is_string()) return pattern["String"].get<std::string>();
  if (pattern.contains("Regex") && pattern["Regex"].is_string()) return pattern["Regex"].get<std::string>();
  throw UserError(where + ": \"pattern\" must be {\"String\": ...} or {\"Regex\": ...}");
}

bool pattern_is_literal(const Json& spec, const std::string& where) {
  pattern_source(spec, where);
  return spec["pattern"].contains("String");
}

}  // namespace dlmeval::tokenizer
