#pragma once
// Checked access to tokenizer.json fields: a missing or mistyped field is a UserError naming
// where it was expected.
#include <string>

#include "harness/core/json_io.h"

namespace dlmeval::tokenizer {

// The "type" of a component object.
std::string type_field(const Json& spec, const std::string& where);
std::string string_field(const Json& spec, const std::string& key, const std::string& where);
const Json& array_field(const Json& spec, const std::string& key, const std::string& where);
const Json& object_field(const Json& spec, const std::string& key, const std::string& where);
// An optional boolean; `fallback` when absent or null.
bool bool_field(const Json& spec, const std::string& key, bool fallback, const std::string& where);

// A "pattern" field: {"String": "..."} (literal) or {"Regex": "..."}.
std::string pattern_source(const Json& spec, const std::string& where);
bool pattern_is_literal(const Json& spec, const std::string& where);

}  // namespace dlmeval::tokenizer
