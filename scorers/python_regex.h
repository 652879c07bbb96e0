#pragma once
// Regular expressions with the semantics of Python's `re` on str, as lm-eval's filters and
// metrics use them: PCRE2 in UTF + UCP mode (\d, \w, \s are Unicode-aware as in Python 3),
// `re.findall`'s return shape and `re.sub`'s replacement syntax (\1, \g<1>, \g<name>, \n, \\).
// Subjects that are not valid UTF-8 are matched after invalid bytes become U+FFFD. A search that
// exceeds PCRE2's match limit (catastrophic backtracking on some output) ends as no further match.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlmeval {

class PythonRegex {
 public:
  // UserError naming `where` when `pattern` does not compile.
  PythonRegex(const std::string& pattern, const std::string& where);
  ~PythonRegex();
  PythonRegex(PythonRegex&&) noexcept;
  PythonRegex& operator=(PythonRegex&&) noexcept;

  // One entry per non-overlapping match, left to right. Each entry holds the whole match when the
  // pattern has no group, else one value per group (nullopt for a group that did not take part;
  // Python's findall gives "" there).
  std::vector<std::vector<std::optional<std::string>>> find_all(std::string_view subject) const;
  // re.sub(pattern, replacement, subject, count): count 0 replaces every match.
  std::string substitute(std::string_view subject, const std::string& replacement, long count = 0) const;
  size_t group_count() const;
  const std::string& pattern() const { return pattern_; }

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
  std::string pattern_;
};

}  // namespace dlmeval
