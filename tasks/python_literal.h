#pragma once
// Python's ast.literal_eval for the values lm-eval reads back from rendered templates
// (doc_to_choice "{{choices.text}}" renders a list's repr): strings (single, double and triple
// quotes, r/b prefixes refused, Python escapes), integers, floats, True/False/None, lists, tuples
// and dicts, nested. Tuples become JSON arrays. UserError naming `where` on anything else.
#include <string>

#include "harness/core/json_io.h"

namespace dlmeval {

Json parse_python_literal(const std::string& text, const std::string& where);

}  // namespace dlmeval
