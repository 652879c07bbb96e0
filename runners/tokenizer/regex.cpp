#define PCRE2_CODE_UNIT_WIDTH 8
#include "runners/tokenizer/regex.h"

#include <pcre2.h>

#include "harness/core/error.h"
#include "harness/core/utf8.h"

namespace dlmeval::tokenizer {
namespace {

// Unicode White_Space, which is what Oniguruma's `\s` matches on UTF-8 input (PCRE2's UCP `\s`
// differs on a few characters).
constexpr std::string_view kWhiteSpaceItems =
    "\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

// One match block and JIT stack per thread, shared by every pattern: matching is const and
// may run on several threads at once.
struct ThreadMatchState {
  pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
  pcre2_jit_stack* jit_stack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  ThreadMatchState() { pcre2_jit_stack_assign(context, nullptr, jit_stack); }
  ~ThreadMatchState() {
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_data_free(data);
  }
};

ThreadMatchState& thread_match_state() {
  thread_local ThreadMatchState state;
  return state;
}

}  // namespace

std::string rewrite_oniguruma_pattern(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size() + 64);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[++i];
      if (next == 's') {
        if (in_class) {
          out += kWhiteSpaceItems;
        } else {
          out += '[';
          out += kWhiteSpaceItems;
          out += ']';
        }
      } else if (next == 'S') {
        if (in_class)
          throw UserError("regex pattern uses \\S inside a character class, which is not supported: " + pattern);
        out += "[^";
        out += kWhiteSpaceItems;
        out += ']';
      } else {
        out += c;
        out += next;
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal member, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
      continue;
    }
    if (in_class && c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      const size_t end = pattern.find(":]", i + 2);
      if (end != std::string::npos) {
        out.append(pattern, i, end + 2 - i);
        i = end + 1;
        continue;
      }
    }
    if (in_class && c == ']') in_class = false;
    out += c;
  }
  return out;
}

struct Regex::Compiled {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Compiled() { pcre2_code_free(code); }
};

Regex::Regex(const std::string& pattern, bool literal, const std::string& where)
    : compiled_(std::make_unique<Compiled>()) {
  const std::string source = literal ? pattern : rewrite_oniguruma_pattern(pattern);
  // PCRE2_LITERAL refuses UCP, which a literal does not need anyway.
  const uint32_t options = PCRE2_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(), options, &error,
                                  &error_offset, nullptr);
  if (!compiled_->code)
    throw UserError(where + ": regex pattern does not compile (" + pcre2_message(error) + " at offset " +
                    std::to_string(error_offset) + "): " + pattern);
  compiled_->jit = pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

std::vector<MatchRange> Regex::find_all(std::string_view subject) const {
  std::vector<MatchRange> matches;
  ThreadMatchState& state = thread_match_state();
  const auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data());
  size_t start = 0;
  while (start <= subject.size()) {
    int rc = compiled_->jit ? pcre2_jit_match(compiled_->code, text, subject.size(), start, 0, state.data, state.context)
                            : PCRE2_ERROR_JIT_BADOPTION;
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_JIT_BADOPTION)
      rc = pcre2_match(compiled_->code, text, subject.size(), start, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, state.data,
                       state.context);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw UserError("regex matching failed: " + pcre2_message(rc));
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state.data);
    const size_t match_start = ovector[0];
    const size_t match_end = ovector[1];
    matches.emplace_back(match_start, match_end);
    if (match_end > match_start) {
      start = match_end;
    } else {
      if (match_end >= subject.size()) break;
      size_t next = match_end;
      next_code_point(subject, next);
      start = next;
    }
  }
  return matches;
}

}  // namespace dlmeval::tokenizer
