#include "runners/tokenizer/json_fields.h"

#include "harness/core/error.h"

namespace dlmeval::tokenizer {

std::string type_field(const Json& spec, const std::string& where) {
  if (!spec.is_object()) throw UserError(where + ": expected an object, got " + std::string(spec.type_name()));
  return string_field(spec, "type", where);
}

std::string string_field(const Json& spec, const std::string& key, const std::string& where) {
  const auto it = spec.find(key);
  if (it == spec.end() || !it->is_string()) throw UserError(where + ": missing string field \"" + key + "\"");
  return it->get<std::string>();
}

const Json& array_field(const Json& spec, const std::string& key, const std::string& where) {
  const auto it = spec.find(key);
  if (it == spec.end() || !it->is_array()) throw UserError(where + ": missing array field \"" + key + "\"");
  return *it;
}

const Json& object_field(const Json& spec, const std::string& key, const std::string& where) {
  const auto it = spec.find(key);
  if (it == spec.end() || !it->is_object()) throw UserError(where + ": missing object field \"" + key + "\"");
  return *it;
}

bool bool_field(const Json& spec, const std::string& key, bool fallback, const std::string& where) {
  const auto it = spec.find(key);
  if (it == spec.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw UserError(where + ": field \"" + key + "\" must be true or false");
  return it->get<bool>();
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
