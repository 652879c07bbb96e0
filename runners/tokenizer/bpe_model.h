#pragma once
// The BPE model of tokenizer.json: vocabulary, ranked merges, unknown-token and byte-fallback
// handling, and a per-word cache (words repeat a lot in natural text).
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval::tokenizer {

class BpeModel {
 public:
  // Reads the "model" object; UserError naming `where` for anything malformed or unsupported.
  BpeModel(const Json& spec, const std::string& where);

  // Appends the ids of one pre-token. Thread-safe.
  void encode_word(const std::string& word, std::vector<int64_t>& ids) const;

  std::optional<int64_t> token_to_id(std::string_view token) const;
  // Token string of `id`, or nullptr when the vocabulary has no such id.
  const std::string* id_to_token(int64_t id) const;
  // One more than the largest id in the vocabulary.
  int64_t id_limit() const { return static_cast<int64_t>(tokens_by_id_.size()); }

 private:
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
  };
  struct MergeTarget {
    int32_t rank;
    int32_t id;
  };
  static uint64_t pair_key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }

  void load_vocab(const Json& vocab, const std::string& where);
  void load_merges(const Json& merges, const std::string& where);
  std::vector<Symbol> initial_symbols(const std::string& word) const;
  void apply_merges(std::vector<Symbol>& symbols) const;

  std::unordered_map<std::string, int32_t> ids_by_token_;
  std::vector<std::string> tokens_by_id_;
  std::vector<bool> id_present_;
  std::unordered_map<char32_t, int32_t> single_char_ids_;
  std::unordered_map<uint64_t, MergeTarget> merges_;
  std::optional<int32_t> unk_id_;
  std::string continuing_subword_prefix_;
  std::string end_of_word_suffix_;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;

  struct Cache {
    std::mutex mutex;
    std::unordered_map<std::string, std::vector<int32_t>> words;
  };
  std::unique_ptr<Cache> cache_ = std::make_unique<Cache>();
};

}  // namespace dlmeval::tokenizer
