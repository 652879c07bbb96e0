#pragma once
// Checked access to the fields of a JSON object read from a user's file: a missing or mistyped
// field is a UserError naming where it was expected, never a JSON library exception.
#include <string>

#include "harness/core/json_io.h"

namespace dlmeval {

// `where: missing string field "key"` when absent, not a string, or `object` is no object.
std::string string_field(const Json& object, const std::string& key, const std::string& where);
const Json& array_field(const Json& object, const std::string& key, const std::string& where);
const Json& object_field(const Json& object, const std::string& key, const std::string& where);
// An optional boolean; `fallback` when absent or null.
bool bool_field(const Json& object, const std::string& key, bool fallback, const std::string& where);

}  // namespace dlmeval
