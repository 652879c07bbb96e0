#include "harness/core/json_fields.h"

#include "harness/core/error.h"

namespace dlmeval {

std::string string_field(const Json& object, const std::string& key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) throw UserError(where + ": missing string field \"" + key + "\"");
  return it->get<std::string>();
}

const Json& array_field(const Json& object, const std::string& key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array()) throw UserError(where + ": missing array field \"" + key + "\"");
  return *it;
}

const Json& object_field(const Json& object, const std::string& key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_object()) throw UserError(where + ": missing object field \"" + key + "\"");
  return *it;
}

bool bool_field(const Json& object, const std::string& key, bool fallback, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw UserError(where + ": field \"" + key + "\" must be true or false");
  return it->get<bool>();
}

}  // namespace dlmeval
