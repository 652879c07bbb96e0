#pragma once
// Checked access to tokenizer.json fields (the generic ones are harness/core/json_fields.h): a
// missing or mistyped field is a UserError naming where it was expected.
#include <string>

#include "harness/core/json_fields.h"

namespace dlmeval::tokenizer {

// The "type" of a component object.
std::string type_field(const Json& spec, const std::string& where);

// A "pattern" field: {"String": "..."} (literal) or {"Regex": "..."}.
std::string pattern_source(const Json& spec, const std::string& where);
bool pattern_is_literal(const Json& spec, const std::string& where);

}  // namespace dlmeval::tokenizer
