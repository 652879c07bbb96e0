#define PCRE2_CODE_UNIT_WIDTH 8
#include "scorers/python_regex.h"

#include <pcre2.h>

#include "harness/core/error.h"
#include "harness/core/utf8.h"

namespace dlmeval {
namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

// Python spells "end of string" \Z; PCRE2's \Z also matches before a final newline, its \z is
// Python's \Z. Everything else these patterns use means the same in both.
std::string translate_pattern(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      out += '\\';
      out += pattern[i + 1] == 'Z' ? 'z' : pattern[i + 1];
      ++i;
      continue;
    }
    out += pattern[i];
  }
  return out;
}

// A pattern that backtracks without end on some model output must not stall scoring: past this
// many internal steps the search gives up and counts as no (further) match.
constexpr uint32_t kMatchLimit = 1'000'000;

struct MatchData {
  pcre2_match_data* data;
  pcre2_match_context* context;
  explicit MatchData(const pcre2_code* code)
      : data(pcre2_match_data_create_from_pattern(code, nullptr)), context(pcre2_match_context_create(nullptr)) {
    pcre2_set_match_limit(context, kMatchLimit);
  }
  ~MatchData() {
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
  }
  MatchData(const MatchData&) = delete;
  MatchData& operator=(const MatchData&) = delete;
};

}  // namespace

struct PythonRegex::Compiled {
  pcre2_code* code = nullptr;
  uint32_t groups = 0;
  ~Compiled() { pcre2_code_free(code); }
};

PythonRegex::PythonRegex(const std::string& pattern, const std::string& where)
    : compiled_(std::make_unique<Compiled>()), pattern_(pattern) {
  if (!is_valid_utf8(pattern)) throw UserError(where + ": regex pattern is not valid UTF-8");
  const std::string source = translate_pattern(pattern);
  int error = 0;
  PCRE2_SIZE offset = 0;
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(),
                                  PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
  if (!compiled_->code) {
    throw UserError(where + ": regex pattern does not compile (" + pcre2_message(error) + " at offset " +
                    std::to_string(offset) + "): " + pattern);
  }
  pcre2_pattern_info(compiled_->code, PCRE2_INFO_CAPTURECOUNT, &compiled_->groups);
}

PythonRegex::~PythonRegex() = default;
PythonRegex::PythonRegex(PythonRegex&&) noexcept = default;
PythonRegex& PythonRegex::operator=(PythonRegex&&) noexcept = default;

size_t PythonRegex::group_count() const { return compiled_->groups; }

namespace {

// Calls `on_match(ovector)` for every match as Python's finditer yields them: after an empty
// match the next one may not be empty at the same position.
template <class OnMatch>
void for_each_match(const pcre2_code* code, const std::string& subject, long limit, OnMatch on_match) {
  MatchData match(code);
  const auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data());
  size_t start = 0;
  uint32_t flags = 0;
  long found = 0;
  while (start <= subject.size() && (limit <= 0 || found < limit)) {
    const int rc = pcre2_match(code, text, subject.size(), start, flags | PCRE2_NO_UTF_CHECK, match.data, match.context);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT) break;
    if (rc == PCRE2_ERROR_NOMATCH) {
      if (flags == 0 || start >= subject.size()) break;
      // No non-empty match here: step one character and search normally.
      size_t next = start;
      next_code_point(subject, next);
      start = next;
      flags = 0;
      continue;
    }
    if (rc < 0) throw UserError("regex matching failed: " + pcre2_message(rc));
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match.data);
    on_match(ov);
    ++found;
    start = ov[1];
    flags = ov[0] == ov[1] ? (PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED) : 0;
  }
}

std::optional<std::string> group_text(const std::string& subject, const PCRE2_SIZE* ov, size_t g) {
  if (ov[2 * g] == PCRE2_UNSET) return std::nullopt;
  return subject.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

}  // namespace

std::vector<std::vector<std::optional<std::string>>> PythonRegex::find_all(std::string_view raw) const {
  const std::string subject = is_valid_utf8(raw) ? std::string(raw) : utf8_lossy(raw);
  std::vector<std::vector<std::optional<std::string>>> out;
  const size_t groups = compiled_->groups;
  for_each_match(compiled_->code, subject, 0, [&](const PCRE2_SIZE* ov) {
    std::vector<std::optional<std::string>> entry;
    if (groups == 0) {
      entry.push_back(group_text(subject, ov, 0));
    } else {
      for (size_t g = 1; g <= groups; ++g) entry.push_back(group_text(subject, ov, g));
    }
    out.push_back(std::move(entry));
  });
  return out;
}

std::string PythonRegex::substitute(std::string_view raw, const std::string& replacement, long count) const {
  const std::string subject = is_valid_utf8(raw) ? std::string(raw) : utf8_lossy(raw);
  const pcre2_code* code = compiled_->code;
  const size_t groups = compiled_->groups;
  auto group_number = [&](const std::string& ref) -> size_t {
    if (!ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos) {
      const size_t g = std::stoul(ref);
      if (g > groups) throw UserError("regex replacement refers to group " + ref + ", which " + pattern_ + " lacks");
      return g;
    }
    const int n = pcre2_substring_number_from_name(code, reinterpret_cast<PCRE2_SPTR>(ref.c_str()));
    if (n < 0) throw UserError("regex replacement refers to unknown group name " + ref);
    return static_cast<size_t>(n);
  };
  std::string out;
  size_t copied = 0;
  for_each_match(code, subject, count, [&](const PCRE2_SIZE* ov) {
    out.append(subject, copied, ov[0] - copied);
    for (size_t i = 0; i < replacement.size(); ++i) {
      const char c = replacement[i];
      if (c != '\\' || i + 1 == replacement.size()) {
        out += c;
        continue;
      }
      const char n = replacement[++i];
      auto octal = [&](size_t at) { return at < replacement.size() && replacement[at] >= '0' && replacement[at] <= '7'; };
      auto digit = [&](size_t at) { return at < replacement.size() && replacement[at] >= '0' && replacement[at] <= '9'; };
      if (n == '0') {
        // Python's sre_parse: \0 begins an octal escape of up to three digits, never a group.
        std::string digits(1, n);
        for (int k = 0; k < 2 && octal(i + 1); ++k) digits += replacement[++i];
        out += static_cast<char>(std::stoul(digits, nullptr, 8) & 0xff);
      } else if (n >= '1' && n <= '9') {
        // Two digits are a group number; three octal digits are a character (\101 is "A").
        std::string digits(1, n);
        if (digit(i + 1)) {
          digits += replacement[++i];
          if (n <= '7' && digits[1] <= '7' && octal(i + 1)) {
            digits += replacement[++i];
            const unsigned long code_point = std::stoul(digits, nullptr, 8);
            if (code_point > 0377) throw UserError("regex replacement has the octal escape \\" + digits + ", above \\377");
            out += static_cast<char>(code_point);
            continue;
          }
        }
        out += group_text(subject, ov, group_number(digits)).value_or("");
      } else if (n == 'g' && i + 1 < replacement.size() && replacement[i + 1] == '<') {
        const size_t close = replacement.find('>', i + 2);
        if (close == std::string::npos) throw UserError("regex replacement has an unterminated \\g<...>: " + replacement);
        out += group_text(subject, ov, group_number(replacement.substr(i + 2, close - i - 2))).value_or("");
        i = close;
      } else if (n == 'n') {
        out += '\n';
      } else if (n == 't') {
        out += '\t';
      } else if (n == 'r') {
        out += '\r';
      } else if (n == '\\') {
        out += '\\';
      } else {
        // Python keeps unknown escapes of ASCII letters as errors; others stay as written.
        if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z'))
          throw UserError(std::string("regex replacement has the bad escape \\") + n + ": " + replacement);
        out += '\\';
        out += n;
      }
    }
    copied = ov[1];
  });
  out.append(subject, copied, std::string::npos);
  return out;
}

}  // namespace dlmeval
