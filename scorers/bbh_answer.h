#pragma once
// BIG-Bench Hard answer extraction and matching for chain-of-thought outputs.
//
// BBH CoT exemplars end with "So the answer is X." The extractor takes the text after the LAST
// "the answer is" (any case) and cleans markdown and punctuation around it; the normaliser then
// maps both the extracted answer and the gold target into one form chosen from the target's shape,
// so "(B)", "B", "(B) blue" and "**B**" all match a "(B)" target.
#include <string>
#include <string_view>

namespace dlmeval {

// Text after the last case-insensitive "the answer is" in `output` (a following ':' is skipped),
// cut at the first newline, with surrounding whitespace, `**`/`__`/backticks, quotes and one
// trailing period removed. When the phrase is absent, the whole output is cleaned the same way
// (lm-eval's CoT filter falls back to the raw text as well).
std::string extract_bbh_answer(std::string_view output);

// Normalises `answer` into the form of `target` so an exact string compare decides the match:
//  * target "(X)" (multiple choice): a leading "X", "(X)", "X)", "(X) text" or "X. text" becomes
//    "(X)" (letter upper-cased);
//  * target True/False, Yes/No, valid/invalid: the first word, case-folded to the target's casing
//    convention (lower-cased compare);
//  * numeric target: `normalize_number` of the first number in the answer;
//  * otherwise (word sorting, dyck languages, ...): whitespace collapsed and lower-cased.
// The target itself is normalised by the same rule, so call sites compare
// normalize_bbh(answer, target) == normalize_bbh(target, target).
std::string normalize_bbh(std::string_view answer, std::string_view target);

// extract_bbh_answer(output), then the normalised compare above.
bool bbh_match(std::string_view output, std::string_view target);

}  // namespace dlmeval
