#include "scorers/bbh_answer.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "scorers/number_extraction.h"

namespace dlmeval {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool is_space(char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; }

// Strips markdown emphasis, quotes, whitespace and one trailing period around an answer span.
std::string clean_answer(std::string_view span) {
  std::string text;
  for (size_t i = 0; i < span.size(); ++i) {
    bool doubled = i + 1 < span.size() && span[i] == span[i + 1] && (span[i] == '*' || span[i] == '_');
    if (doubled) {
      ++i;
      continue;
    }
    if (span[i] == '`') continue;
    text.push_back(span[i]);
  }
  auto strip = [](std::string& s) {
    static constexpr std::string_view kEdge = " \t\r\n\"'*";
    size_t begin = s.find_first_not_of(kEdge);
    if (begin == std::string::npos) {
      s.clear();
      return;
    }
    s = s.substr(begin, s.find_last_not_of(kEdge) - begin + 1);
  };
  strip(text);
  if (!text.empty() && text.back() == '.') text.pop_back();
  strip(text);
  return text;
}

std::string collapse_whitespace_lower(std::string_view s) {
  std::string out;
  bool pending_space = false;
  for (char ch : s) {
    if (is_space(ch)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  return out;
}

bool is_choice_target(std::string_view target) {
  return target.size() == 3 && target[0] == '(' && target[2] == ')' &&
         std::isalpha(static_cast<unsigned char>(target[1]));
}

bool is_binary_word(const std::string& word) {
  static constexpr std::array<std::string_view, 6> kWords = {"true", "false", "yes", "no", "valid", "invalid"};
  return std::find(kWords.begin(), kWords.end(), word) != kWords.end();
}

bool is_number_target(std::string_view target) {
  static const RE2 pattern(R"(-?[0-9][0-9,]*(\.[0-9]+)?)");
  return RE2::FullMatch(re2::StringPiece(target.data(), target.size()), pattern);
}

std::string normalize_choice(std::string_view answer) {
  re2::StringPiece text(answer.data(), answer.size());
  std::string letter;
  // "(B)", "(B) blue", "B", "B)", "B. blue", "B: blue" at the start of the answer; a bare letter
  // followed by a space is left alone so a sentence starting with "A " is not read as choice A.
  static const RE2 leading(R"(^\s*(?:\(([A-Za-z])\)|([A-Za-z])(?:[).:]|$)))");
  // "option (C)" and the like: the first parenthesised capital anywhere.
  static const RE2 anywhere(R"(\(([A-Z])\))");
  std::string bare;
  if (RE2::PartialMatch(text, leading, &letter, &bare) && letter.empty()) letter = bare;
  if (!letter.empty() || RE2::PartialMatch(text, anywhere, &letter)) {
    std::string choice = "(";
    choice.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(letter[0]))));
    choice.push_back(')');
    return choice;
  }
  return collapse_whitespace_lower(answer);
}

std::string first_word(std::string_view answer) {
  std::string word;
  size_t i = 0;
  while (i < answer.size() && !std::isalnum(static_cast<unsigned char>(answer[i]))) ++i;
  while (i < answer.size() && std::isalnum(static_cast<unsigned char>(answer[i]))) word.push_back(answer[i++]);
  return lower(word);
}

std::string normalize_numeric(std::string_view answer) {
  static const RE2 number(R"((-?\$?[0-9][0-9,]*(?:\.[0-9]+)?))");
  std::string found;
  if (RE2::PartialMatch(re2::StringPiece(answer.data(), answer.size()), number, &found))
    return normalize_number(found);
  static constexpr std::array<std::string_view, 21> kWords = {
      "zero",    "one",     "two",       "three",    "four",     "five",    "six",
      "seven",   "eight",   "nine",      "ten",      "eleven",   "twelve",  "thirteen",
      "fourteen", "fifteen", "sixteen",  "seventeen", "eighteen", "nineteen", "twenty"};
  std::string word = first_word(answer);
  for (size_t i = 0; i < kWords.size(); ++i)
    if (word == kWords[i]) return std::to_string(i);
  return collapse_whitespace_lower(answer);
}

}  // namespace

std::string extract_bbh_answer(std::string_view output) {
  static constexpr std::string_view kPhrase = "the answer is";
  std::string folded = lower(output);
  size_t at = folded.rfind(kPhrase);
  std::string_view span = output;
  if (at != std::string::npos) {
    span = output.substr(at + kPhrase.size());
    while (!span.empty() && (is_space(span.front()) || span.front() == ':')) span.remove_prefix(1);
    // "So the answer is **(B)**" and "The answer is: B" are common; the answer ends at the line.
    size_t newline = span.find('\n');
    if (newline != std::string_view::npos) span = span.substr(0, newline);
  }
  return clean_answer(span);
}

std::string normalize_bbh(std::string_view answer, std::string_view target) {
  std::string clean_target = clean_answer(target);
  if (is_choice_target(clean_target)) return normalize_choice(answer);
  if (is_binary_word(lower(clean_target))) return first_word(answer);
  if (is_number_target(clean_target)) return normalize_numeric(answer);
  return collapse_whitespace_lower(clean_answer(answer));
}

bool bbh_match(std::string_view output, std::string_view target) {
  return normalize_bbh(extract_bbh_answer(output), target) == normalize_bbh(target, target);
}

}  // namespace dlmeval
