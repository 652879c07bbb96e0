#include "runners/tokenizer/pre_tokenizers.h"

#include <unicode/uchar.h>

#include <algorithm>

#include "harness/core/error.h"
#include "runners/tokenizer/byte_level.h"
#include "runners/tokenizer/json_fields.h"
#include "runners/tokenizer/regex.h"
#include "harness/core/utf8.h"

namespace dlmeval::tokenizer {
namespace {

// GPT-2's pattern, used by ByteLevel when "use_regex" is true.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

struct Span {
  size_t start, end;
  bool is_match;
};

// Turns match ranges into spans covering the whole subject, gaps included.
std::vector<Span> spans_from_matches(const std::vector<MatchRange>& matches, size_t length) {
  std::vector<Span> spans;
  size_t previous = 0;
  for (const auto& [start, end] : matches) {
    if (previous != start) spans.push_back({previous, start, false});
    spans.push_back({start, end, true});
    previous = end;
  }
  if (previous != length) spans.push_back({previous, length, false});
  return spans;
}

// Applies a split behaviour to spans and appends the non-empty resulting pieces to `out`.
void emit_split(const std::string& subject, std::vector<Span> spans, SplitBehavior behavior, bool invert,
                std::vector<std::string>& out) {
  if (invert)
    for (auto& span : spans) span.is_match = !span.is_match;
  std::vector<Span> merged;
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::Removed:
      for (const auto& span : spans)
        if (!span.is_match) merged.push_back(span);
      break;
    case SplitBehavior::Isolated:
      merged = std::move(spans);
      break;
    case SplitBehavior::MergedWithPrevious:
      for (const auto& span : spans) {
        if (span.is_match && !previous_match && !merged.empty())
          merged.back().end = span.end;
        else
          merged.push_back(span);
        previous_match = span.is_match;
      }
      break;
    case SplitBehavior::MergedWithNext:
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->is_match && !previous_match && !merged.empty())
          merged.back().start = it->start;
        else
          merged.push_back(*it);
        previous_match = it->is_match;
      }
      std::reverse(merged.begin(), merged.end());
      break;
    case SplitBehavior::Contiguous:
      for (const auto& span : spans) {
        if (span.is_match == previous_match && !merged.empty())
          merged.back().end = span.end;
        else
          merged.push_back(span);
        previous_match = span.is_match;
      }
      break;
  }
  for (const auto& span : merged)
    if (span.end > span.start) out.emplace_back(subject, span.start, span.end - span.start);
}

SplitBehavior parse_behavior(const std::string& name, const std::string& where) {
  if (name == "Removed") return SplitBehavior::Removed;
  if (name == "Isolated") return SplitBehavior::Isolated;
  if (name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::MergedWithNext;
  if (name == "Contiguous") return SplitBehavior::Contiguous;
  throw UserError(where + ": unknown split behavior \"" + name +
                  "\" (expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous)");
}

class Split : public PreTokenizer {
 public:
  Split(const Json& spec, const std::string& where)
      : regex_(pattern_source(spec, where), pattern_is_literal(spec, where), where),
        behavior_(parse_behavior(string_field(spec, "behavior", where), where)),
        invert_(bool_field(spec, "invert", false, where)) {}

  void pre_tokenize(std::vector<std::string>& pieces) const override {
    std::vector<std::string> out;
    out.reserve(pieces.size() * 4);
    for (const auto& piece : pieces)
      emit_split(piece, spans_from_matches(regex_.find_all(piece), piece.size()), behavior_, invert_, out);
    pieces = std::move(out);
  }

 private:
  Regex regex_;
  SplitBehavior behavior_;
  bool invert_;
};

bool is_numeric(char32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  const auto type = u_charType(static_cast<UChar32>(cp));
  return type == U_DECIMAL_DIGIT_NUMBER || type == U_LETTER_NUMBER || type == U_OTHER_NUMBER;
}

class Digits : public PreTokenizer {
 public:
  explicit Digits(bool individual) : individual_(individual) {}

  void pre_tokenize(std::vector<std::string>& pieces) const override {
    std::vector<std::string> out;
    for (const auto& piece : pieces) {
      std::vector<MatchRange> matches;
      size_t pos = 0;
      while (pos < piece.size()) {
        const size_t start = pos;
        if (is_numeric(next_code_point(piece, pos))) matches.emplace_back(start, pos);
      }
      emit_split(piece, spans_from_matches(matches, piece.size()),
                 individual_ ? SplitBehavior::Isolated : SplitBehavior::Contiguous, false, out);
    }
    pieces = std::move(out);
  }

 private:
  bool individual_;
};

class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex)
      : add_prefix_space_(add_prefix_space),
        regex_(use_regex ? std::make_unique<Regex>(kGpt2Pattern, false, "ByteLevel") : nullptr) {}

  void pre_tokenize(std::vector<std::string>& pieces) const override {
    const auto& alphabet = ByteLevelAlphabet::instance();
    std::vector<std::string> out;
    out.reserve(pieces.size());
    for (auto& piece : pieces) {
      if (add_prefix_space_ && (piece.empty() || piece[0] != ' ')) piece = " " + piece;
      if (!regex_) {
        if (!piece.empty()) out.push_back(alphabet.encode(piece));
        continue;
      }
      std::vector<std::string> split;
      emit_split(piece, spans_from_matches(regex_->find_all(piece), piece.size()), SplitBehavior::Isolated, false,
                 split);
      for (const auto& part : split) out.push_back(alphabet.encode(part));
    }
    pieces = std::move(out);
  }
  bool emits_byte_level() const override { return true; }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> regex_;
};

class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  void pre_tokenize(std::vector<std::string>& pieces) const override {
    for (const auto& step : steps_) step->pre_tokenize(pieces);
  }
  bool emits_byte_level() const override {
    for (const auto& step : steps_)
      if (step->emits_byte_level()) return true;
    return false;
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& spec, const std::string& where) {
  if (spec.is_null()) return nullptr;
  const std::string type = type_field(spec, where);
  if (type == "Split") return std::make_unique<Split>(spec, where + ".Split");
  if (type == "ByteLevel")
    return std::make_unique<ByteLevel>(bool_field(spec, "add_prefix_space", true, where),
                                       bool_field(spec, "use_regex", true, where));
  if (type == "Digits") return std::make_unique<Digits>(bool_field(spec, "individual_digits", false, where));
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    const Json& list = array_field(spec, "pretokenizers", where + ".Sequence");
    for (size_t i = 0; i < list.size(); ++i) {
      auto step = make_pre_tokenizer(list[i], where + ".pretokenizers[" + std::to_string(i) + "]");
      if (step) steps.push_back(std::move(step));
    }
    return std::make_unique<Sequence>(std::move(steps));
  }
  throw UserError(where + ": unsupported pre_tokenizer type \"" + type +
                  "\" (supported: Split, ByteLevel, Digits, Sequence)");
}

}  // namespace dlmeval::tokenizer
