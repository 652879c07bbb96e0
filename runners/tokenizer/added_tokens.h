#pragma once
// Added tokens ("added_tokens" of tokenizer.json): found in the text before pre-tokenization and
// encoded as single ids. Tokens with normalized=false are matched in the raw text; the pieces
// between them are normalized, and tokens with normalized=true are then matched in those pieces.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval::tokenizer {

class Normalizer;

struct AddedToken {
  int64_t id = 0;
  std::string content;
  bool special = false;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
};

// A run of text, or one added token.
struct Segment {
  std::string text;
  std::optional<int64_t> id;
};

// Leftmost-longest search for a set of token strings, with the single_word / lstrip / rstrip
// rules of each token.
class AddedTokenMatcher {
 public:
  void add(std::string pattern, const AddedToken* token);
  // Splits `text` into plain runs and tokens; empty runs are dropped.
  void split(std::string_view text, std::vector<Segment>& out) const;
  bool empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    std::string text;
    const AddedToken* token;
  };
  std::vector<Pattern> patterns_;
  // Patterns by first byte, longest first.
  std::unordered_map<unsigned char, std::vector<size_t>> by_first_byte_;
  bool first_byte_used_[256] = {};
};

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  AddedVocabulary(const AddedVocabulary&) = delete;
  AddedVocabulary& operator=(const AddedVocabulary&) = delete;

  // Adds a token unless one with the same content exists already.
  void add(AddedToken token);
  // Builds the matchers; call once every token is added and the normalizer is known.
  void build(const Normalizer* normalizer);

  // Splits `text` into added tokens and normalized plain runs, as the reference does.
  std::vector<Segment> split(const std::string& text, const Normalizer* normalizer) const;

  const AddedToken* find_by_id(int64_t id) const;
  const AddedToken* find_by_content(std::string_view content) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  std::vector<AddedToken> tokens_;
  std::unordered_map<int64_t, size_t> index_by_id_;
  std::unordered_map<std::string, size_t> index_by_content_;
  AddedTokenMatcher raw_matcher_;
  AddedTokenMatcher normalized_matcher_;
};

// Reads one entry of "added_tokens" (tokenizer.json) or "added_tokens_decoder" (tokenizer_config.json).
AddedToken parse_added_token(const Json& spec, std::optional<int64_t> id, const std::string& where);

}  // namespace dlmeval::tokenizer
