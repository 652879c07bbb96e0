#pragma once
// The option letter a generated answer names, as OpenCompass's first_option_postprocess
// (opencompass/utils/text_postprocessors.py at 014fb10) finds it: an ordered cascade of patterns
// (Chinese and English answer phrases, then a lone letter, then any letter), and from the first
// pattern that matches, the first of `options` (in the options' order) that its match contains.
#include <string>

namespace dlmeval {

// "" when no pattern matches. `options` is a run of capital letters such as "ABCD".
std::string first_option_letter(const std::string& text, const std::string& options);

}  // namespace dlmeval
