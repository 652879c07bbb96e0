#include "runners/tokenizer/added_tokens.h"

#include <unicode/uchar.h>

#include <algorithm>

#include "harness/core/error.h"
#include "runners/tokenizer/json_fields.h"
#include "runners/tokenizer/normalizers.h"
#include "harness/core/utf8.h"

namespace dlmeval::tokenizer {
namespace {

// Rust regex's Unicode `\w`, which the reference uses for single_word.
bool is_word_char(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_';
  const auto c = static_cast<UChar32>(cp);
  const auto mask = U_GET_GC_MASK(c);
  return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || (mask & (U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK)) != 0 ||
         u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL);
}

bool is_white_space(char32_t cp) { return u_isUWhiteSpace(static_cast<UChar32>(cp)); }

// Start of the character that ends at `end`.
size_t previous_char_start(std::string_view text, size_t end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  return start;
}

char32_t char_before(std::string_view text, size_t end) {
  size_t pos = previous_char_start(text, end);
  return next_code_point(text, pos);
}

char32_t char_at(std::string_view text, size_t pos) { return next_code_point(text, pos); }

}  // namespace

void AddedTokenMatcher::add(std::string pattern, const AddedToken* token) {
  if (pattern.empty()) return;
  const auto first = static_cast<unsigned char>(pattern[0]);
  patterns_.push_back({std::move(pattern), token});
  auto& list = by_first_byte_[first];
  list.push_back(patterns_.size() - 1);
  std::stable_sort(list.begin(), list.end(),
                   [&](size_t a, size_t b) { return patterns_[a].text.size() > patterns_[b].text.size(); });
  first_byte_used_[first] = true;
}

void AddedTokenMatcher::split(std::string_view text, std::vector<Segment>& out) const {
  size_t emitted = 0;  // end of what has been written to `out`
  size_t pos = 0;
  while (pos < text.size()) {
    const auto first = static_cast<unsigned char>(text[pos]);
    const Pattern* found = nullptr;
    if (first_byte_used_[first]) {
      for (size_t index : by_first_byte_.at(first)) {
        const Pattern& pattern = patterns_[index];
        if (text.compare(pos, pattern.text.size(), pattern.text) == 0) {
          found = &pattern;
          break;
        }
      }
    }
    if (!found) {
      ++pos;
      continue;
    }
    size_t start = pos;
    size_t stop = pos + found->text.size();
    const AddedToken& token = *found->token;
    if (token.single_word) {
      const bool space_before = start == 0 || !is_word_char(char_before(text, start));
      const bool space_after = stop == text.size() || !is_word_char(char_at(text, stop));
      if (!space_before || !space_after) {
        // The search resumes after the rejected match, as the reference's matcher does.
        pos = stop;
        continue;
      }
    }
    if (token.lstrip) {
      while (start > emitted && is_white_space(char_before(text, start))) start = previous_char_start(text, start);
    }
    if (token.rstrip) {
      while (stop < text.size()) {
        size_t next = stop;
        if (!is_white_space(next_code_point(text, next))) break;
        stop = next;
      }
    }
    if (start > emitted) out.push_back({std::string(text.substr(emitted, start - emitted)), std::nullopt});
    out.push_back({std::string(text.substr(start, stop - start)), token.id});
    emitted = stop;
    pos = stop;
  }
  if (emitted < text.size()) out.push_back({std::string(text.substr(emitted)), std::nullopt});
}

void AddedVocabulary::add(AddedToken token) {
  if (index_by_content_.count(token.content)) return;
  index_by_content_.emplace(token.content, tokens_.size());
  index_by_id_.emplace(token.id, tokens_.size());
  tokens_.push_back(std::move(token));
}

void AddedVocabulary::build(const Normalizer* normalizer) {
  raw_matcher_ = AddedTokenMatcher();
  normalized_matcher_ = AddedTokenMatcher();
  for (const auto& token : tokens_) {
    if (!token.normalized || !normalizer) {
      (token.normalized ? normalized_matcher_ : raw_matcher_).add(token.content, &token);
      continue;
    }
    std::string content = token.content;
    normalizer->normalize(content);
    normalized_matcher_.add(std::move(content), &token);
  }
}

std::vector<Segment> AddedVocabulary::split(const std::string& text, const Normalizer* normalizer) const {
  std::vector<Segment> raw;
  if (raw_matcher_.empty()) {
    if (!text.empty()) raw.push_back({text, std::nullopt});
  } else {
    raw_matcher_.split(text, raw);
  }
  std::vector<Segment> out;
  out.reserve(raw.size());
  for (auto& segment : raw) {
    if (segment.id) {
      out.push_back(std::move(segment));
      continue;
    }
    if (normalizer) normalizer->normalize(segment.text);
    if (normalized_matcher_.empty()) {
      if (!segment.text.empty()) out.push_back(std::move(segment));
    } else {
      normalized_matcher_.split(segment.text, out);
    }
  }
  return out;
}

const AddedToken* AddedVocabulary::find_by_id(int64_t id) const {
  const auto it = index_by_id_.find(id);
  return it == index_by_id_.end() ? nullptr : &tokens_[it->second];
}

const AddedToken* AddedVocabulary::find_by_content(std::string_view content) const {
  const auto it = index_by_content_.find(std::string(content));
  return it == index_by_content_.end() ? nullptr : &tokens_[it->second];
}

AddedToken parse_added_token(const Json& spec, std::optional<int64_t> id, const std::string& where) {
  if (!spec.is_object()) throw UserError(where + ": an added token must be an object");
  AddedToken token;
  if (id) {
    token.id = *id;
  } else {
    const auto it = spec.find("id");
    if (it == spec.end() || !it->is_number_integer() || it->get<int64_t>() < 0)
      throw UserError(where + ": added token has no valid \"id\"");
    token.id = it->get<int64_t>();
  }
  token.content = string_field(spec, "content", where);
  if (token.content.empty()) throw UserError(where + ": added token " + std::to_string(token.id) + " is empty");
  if (!is_valid_utf8(token.content)) throw UserError(where + ": added token content is not valid UTF-8");
  token.special = bool_field(spec, "special", false, where);
  token.single_word = bool_field(spec, "single_word", false, where);
  token.lstrip = bool_field(spec, "lstrip", false, where);
  token.rstrip = bool_field(spec, "rstrip", false, where);
  // The reference defaults `normalized` to the opposite of `special`.
  token.normalized = bool_field(spec, "normalized", !token.special, where);
  return token;
}

}  // namespace dlmeval::tokenizer
