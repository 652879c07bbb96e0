#pragma once
// UTF-8 helpers shared by the tokenizer pipeline and the Jinja engine. Decoding of model output must match Rust's
// `String::from_utf8_lossy`, because that is what the reference tokenizer does.
#include <cstdint>
#include <string>
#include <string_view>

namespace dlmeval {

// Length of the valid UTF-8 sequence starting at `text[pos]`, or 0 when it is not valid there
// (bad lead byte, truncated, overlong, surrogate or above U+10FFFF).
size_t valid_utf8_length(std::string_view text, size_t pos);

// Whether the whole string is valid UTF-8.
bool is_valid_utf8(std::string_view text);

// Decodes the code point at `pos` of a string known to be valid UTF-8 and advances `pos`.
char32_t next_code_point(std::string_view text, size_t& pos);

// Appends the UTF-8 encoding of `cp`.
void append_utf8(std::string& out, char32_t cp);

// Replaces each maximal invalid subsequence with one U+FFFD, as Rust's from_utf8_lossy does.
std::string utf8_lossy(std::string_view bytes);

}  // namespace dlmeval
