#include "scorers/python_text.h"

#include <unicode/ustring.h>
#include <unicode/utypes.h>

#include <vector>

#include "harness/core/error.h"
#include "harness/core/utf8.h"

namespace dlmeval {
namespace {

using CaseMap = int32_t (*)(UChar*, int32_t, const UChar*, int32_t, const char*, UErrorCode*);

std::string convert_case(std::string_view raw, CaseMap map) {
  const std::string text = is_valid_utf8(raw) ? std::string(raw) : utf8_lossy(raw);
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  u_strFromUTF8(nullptr, 0, &length, text.data(), static_cast<int32_t>(text.size()), &status);
  status = U_ZERO_ERROR;
  std::vector<UChar> utf16(static_cast<size_t>(length) + 1);
  u_strFromUTF8(utf16.data(), length + 1, nullptr, text.data(), static_cast<int32_t>(text.size()), &status);
  if (U_FAILURE(status)) throw UserError(std::string("cannot convert text to UTF-16: ") + u_errorName(status));
  std::vector<UChar> mapped(static_cast<size_t>(length) * 3 + 1);
  status = U_ZERO_ERROR;
  const int32_t mapped_length =
      map(mapped.data(), static_cast<int32_t>(mapped.size()), utf16.data(), length, "", &status);
  if (U_FAILURE(status)) throw UserError(std::string("cannot change the case of text: ") + u_errorName(status));
  std::string out(static_cast<size_t>(mapped_length) * 3 + 1, '\0');
  int32_t out_length = 0;
  status = U_ZERO_ERROR;
  u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &out_length, mapped.data(), mapped_length, &status);
  if (U_FAILURE(status)) throw UserError(std::string("cannot convert text to UTF-8: ") + u_errorName(status));
  out.resize(static_cast<size_t>(out_length));
  return out;
}

// str.isspace(): Unicode White_Space plus the ASCII information separators.
bool python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

}  // namespace

std::string python_lower(std::string_view text) { return convert_case(text, u_strToLower); }
std::string python_upper(std::string_view text) { return convert_case(text, u_strToUpper); }

std::string python_strip(std::string_view raw) {
  const std::string text = is_valid_utf8(raw) ? std::string(raw) : utf8_lossy(raw);
  size_t begin = 0;
  while (begin < text.size()) {
    size_t next = begin;
    if (!python_space(next_code_point(text, next))) break;
    begin = next;
  }
  size_t end = begin;
  for (size_t pos = begin; pos < text.size();) {
    const char32_t c = next_code_point(text, pos);
    if (!python_space(c)) end = pos;
  }
  return text.substr(begin, end - begin);
}

std::string remove_ascii_punctuation(std::string_view text) {
  static const std::string_view punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  std::string out;
  for (char c : text)
    if (punctuation.find(c) == std::string_view::npos) out += c;
  return out;
}

std::string remove_ascii_digits(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c < '0' || c > '9') out += c;
  return out;
}

}  // namespace dlmeval
