#include "scorers/number_extraction.h"

#include <re2/re2.h>

#include <cctype>

namespace dlmeval {
namespace {

bool has_digit(std::string_view s) {
  for (char ch : s)
    if (std::isdigit(static_cast<unsigned char>(ch))) return true;
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s)
    if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
  return true;
}

}  // namespace

std::optional<std::string> extract_gsm8k_strict(std::string_view text) {
  static const RE2 pattern(R"(#### (\-?[0-9\.\,]+))");
  std::string captured;
  if (!RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), pattern, &captured)) return std::nullopt;
  return captured;
}

std::optional<std::string> extract_last_number(std::string_view text) {
  static const RE2 pattern(R"((-?[$0-9.,]{2,})|(-?[0-9]+))");
  re2::StringPiece input(text.data(), text.size());
  std::string wide, narrow;
  std::optional<std::string> last;
  while (RE2::FindAndConsume(&input, pattern, &wide, &narrow)) {
    const std::string& span = wide.empty() ? narrow : wide;
    if (has_digit(span)) last = span;
  }
  return last;
}

std::string normalize_number(std::string_view s) {
  std::string_view trimmed = trim(s);
  std::string cleaned;
  for (char ch : trimmed)
    if (ch != '$' && ch != ',') cleaned.push_back(ch);
  while (!cleaned.empty() && cleaned.back() == '.') cleaned.pop_back();

  std::string_view body = cleaned;
  bool negative = false;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  size_t dot = body.find('.');
  std::string_view whole = body.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : body.substr(dot + 1);
  bool numeric = (all_digits(whole) || (whole.empty() && !fraction.empty())) &&
                 (dot == std::string_view::npos || all_digits(fraction));
  if (!numeric) return std::string(trimmed);

  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  bool zero = (whole.empty() || whole == "0") && fraction.empty();
  std::string out;
  if (negative && !zero) out.push_back('-');
  out.append(whole.empty() ? std::string_view("0") : whole);
  if (!fraction.empty()) {
    out.push_back('.');
    out.append(fraction);
  }
  return out;
}

bool numbers_equal(std::string_view a, std::string_view b) { return normalize_number(a) == normalize_number(b); }

}  // namespace dlmeval
