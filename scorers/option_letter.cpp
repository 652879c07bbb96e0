#include "scorers/option_letter.h"

#include <re2/re2.h>

#include <memory>
#include <stdexcept>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace dlmeval {
namespace {

// The reference patterns with {o} for the options. Python's `$` also matches before a final
// newline, hence `\n?\z` where the reference writes `$` outside a character class. Python's `\s`
// is Unicode whitespace, RE2's ASCII: the two differ only on exotic spaces.
const char* const kPatterns[] = {
    R"(答案是?\s?([{o}]))",
    R"(答案是?\s?：([{o}]))",
    R"(答案是?\s?:([{o}]))",
    R"(答案应该?是\s?([{o}]))",
    R"(答案应该?选\s?([{o}]))",
    R"(答案为\s?([{o}]))",
    R"(答案选\s?([{o}]))",
    R"(选择?\s?([{o}]))",
    R"(只有选?项?\s?([{o}])\s?是?对)",
    R"(只有选?项?\s?([{o}])\s?是?错)",
    R"(只有选?项?\s?([{o}])\s?不?正确)",
    R"(只有选?项?\s?([{o}])\s?错误)",
    R"(说法不?对选?项?的?是\s?([{o}]))",
    R"(说法不?正确选?项?的?是\s?([{o}]))",
    R"(说法错误选?项?的?是\s?([{o}]))",
    R"(([{o}])\s?是正确的)",
    R"(([{o}])\s?是正确答案)",
    R"(选项\s?([{o}])\s?正确)",
    R"(所以答\s?([{o}]))",
    R"(1.\s?([{o}])[.。$]?(?:\n?\z))",
    R"(所以\s?([{o}][.。$]?(?:\n?\z)))",
    R"(所有\s?([{o}][.。$]?(?:\n?\z)))",
    R"([\s，：:,]([{o}])[。，,\.]?(?:\n?\z))",
    R"([\s，,：:][故即]([{o}])[。\.]?(?:\n?\z))",
    R"([\s，,：:]因此([{o}])[。\.]?(?:\n?\z))",
    R"([是为。]\s?([{o}])[。\.]?(?:\n?\z))",
    R"(因此\s?([{o}])[。\.]?(?:\n?\z))",
    R"(显然\s?([{o}])[。\.]?(?:\n?\z))",
    R"(答案是\s?(\S+)(?:。|(?:\n?\z)))",
    R"(答案应该是\s?(\S+)(?:。|(?:\n?\z)))",
    R"(答案为\s?(\S+)(?:。|(?:\n?\z)))",
    R"([Tt]he answer is ([{o}]))",
    R"([Tt]he answer is option ([{o}]))",
    R"([Tt]he correct answer is ([{o}]))",
    R"([Tt]he correct answer is option ([{o}]))",
    R"([Tt]he answer to the question is ([{o}]))",
    R"(^选项\s?([{o}]))",
    R"(^([{o}])\s?选?项)",
    R"((\s|^)[{o}][\s。，,：:\.$])",
    R"((\s|^)[{o}](\s|(?:\n?\z)))",
    R"(1.\s?(.*?)(?:\n?\z))",
    // The reference's "cushion" patterns, always on in its configs.
    R"(([{o}]):)",
    R"([{o}])",
};

std::string with_options(std::string pattern, const std::string& options) {
  for (size_t at = pattern.find("{o}"); at != std::string::npos; at = pattern.find("{o}", at + options.size()))
    pattern.replace(at, 3, options);
  return pattern;
}

const std::vector<std::unique_ptr<RE2>>& compiled(const std::string& options) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::vector<std::unique_ptr<RE2>>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& list = cache[options];
  if (list.empty()) {
    RE2::Options o;
    o.set_log_errors(false);
    for (const char* p : kPatterns) {
      list.push_back(std::make_unique<RE2>(with_options(p, options), o));
      if (!list.back()->ok()) throw std::logic_error("option pattern does not compile: " + list.back()->pattern());
    }
  }
  return list;
}

}  // namespace

std::string first_option_letter(const std::string& text, const std::string& options) {
  for (const auto& re : compiled(options)) {
    re2::StringPiece match;
    if (!re->Match(text, 0, text.size(), RE2::UNANCHORED, &match, 1)) continue;
    for (char letter : options)
      if (match.find(letter) != re2::StringPiece::npos) return std::string(1, letter);
  }
  return "";
}

}  // namespace dlmeval
