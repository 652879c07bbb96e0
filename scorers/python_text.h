#pragma once
// Python's str methods that lm-eval's filters and metrics call, with Python 3's Unicode rules:
// lower/upper use the full Unicode case mappings (ICU's root locale, as Python's unicodedata),
// strip removes what str.isspace() calls whitespace.
#include <string>
#include <string_view>

namespace dlmeval {

std::string python_lower(std::string_view text);
std::string python_upper(std::string_view text);
std::string python_strip(std::string_view text);
// Removes every character of string.punctuation (ASCII punctuation only, as Python's constant).
std::string remove_ascii_punctuation(std::string_view text);
// Removes the ASCII digits 0-9 (string.digits).
std::string remove_ascii_digits(std::string_view text);

}  // namespace dlmeval
