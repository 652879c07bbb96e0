#pragma once
// PCRE2 (UTF + UCP, JIT) wrapper that reads patterns written for Oniguruma, the engine the
// reference tokenizer uses. The one behavioural gap that matters for tokenizer patterns is `\s`:
// Oniguruma's is the Unicode White_Space property, so it is rewritten into that explicit class.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dlmeval::tokenizer {

// Byte range [first, second) of a match inside the subject.
using MatchRange = std::pair<size_t, size_t>;

class Regex {
 public:
  // `pattern` uses Oniguruma syntax; `literal` treats it as a plain string. UserError naming
  // `where` when it does not compile.
  Regex(const std::string& pattern, bool literal, const std::string& where);
  ~Regex();
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;

  // Every non-overlapping match, left to right; after an empty match the search resumes one
  // character later. The subject must be valid UTF-8.
  std::vector<MatchRange> find_all(std::string_view subject) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

// Rewrites `\s` / `\S` of an Oniguruma pattern into explicit White_Space classes (exposed for tests).
std::string rewrite_oniguruma_pattern(const std::string& pattern);

}  // namespace dlmeval::tokenizer
