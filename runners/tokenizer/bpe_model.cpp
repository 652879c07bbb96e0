#include "runners/tokenizer/bpe_model.h"

#include <cstdio>
#include <queue>

#include "harness/core/error.h"
#include "runners/tokenizer/json_fields.h"
#include "harness/core/utf8.h"

namespace dlmeval::tokenizer {
namespace {

// Words longer than this are not cached: they are rare and would bloat the cache.
constexpr size_t kMaxCachedWordBytes = 256;
constexpr size_t kMaxCachedWords = 1 << 18;

std::string merge_text(const Json& merge) { return merge.dump(); }

}  // namespace

BpeModel::BpeModel(const Json& spec, const std::string& where) {
  if (!spec.is_object()) throw UserError(where + ": missing \"model\" object");
  const std::string type = spec.value("type", std::string("BPE"));
  if (type != "BPE")
    throw UserError(where + ": unsupported model type \"" + type + "\" (supported: BPE)");
  const auto dropout = spec.find("dropout");
  if (dropout != spec.end() && !dropout->is_null() && dropout->get<double>() > 0.0)
    throw UserError(where + ": BPE dropout is not supported (it makes encoding random)");
  if (spec.contains("continuing_subword_prefix") && spec["continuing_subword_prefix"].is_string())
    continuing_subword_prefix_ = spec["continuing_subword_prefix"].get<std::string>();
  if (spec.contains("end_of_word_suffix") && spec["end_of_word_suffix"].is_string())
    end_of_word_suffix_ = spec["end_of_word_suffix"].get<std::string>();
  fuse_unk_ = bool_field(spec, "fuse_unk", false, where);
  byte_fallback_ = bool_field(spec, "byte_fallback", false, where);
  ignore_merges_ = bool_field(spec, "ignore_merges", false, where);

  load_vocab(object_field(spec, "vocab", where), where + ".vocab");
  load_merges(array_field(spec, "merges", where), where + ".merges");

  if (spec.contains("unk_token") && spec["unk_token"].is_string()) {
    const std::string unk = spec["unk_token"].get<std::string>();
    const auto it = ids_by_token_.find(unk);
    if (it == ids_by_token_.end()) throw UserError(where + ": unk_token \"" + unk + "\" is not in the vocabulary");
    unk_id_ = it->second;
  }
}

void BpeModel::load_vocab(const Json& vocab, const std::string& where) {
  ids_by_token_.reserve(vocab.size());
  int64_t max_id = -1;
  for (const auto& [token, id_json] : vocab.items()) {
    if (!id_json.is_number_integer() || id_json.get<int64_t>() < 0 || id_json.get<int64_t>() > INT32_MAX)
      throw UserError(where + ": token \"" + token + "\" has no valid id");
    const auto id = id_json.get<int32_t>();
    ids_by_token_.emplace(token, id);
    max_id = std::max<int64_t>(max_id, id);
  }
  // The id table is dense: a hostile id near 2^31 would allocate tens of GB. Real vocabularies'
  // ids run from 0 to about their size.
  const int64_t id_limit = std::max<int64_t>(2 * static_cast<int64_t>(vocab.size()), int64_t{1} << 20);
  if (max_id >= id_limit)
    throw UserError(where + ": token id " + std::to_string(max_id) + " is far beyond the " +
                    std::to_string(vocab.size()) + " tokens of the vocabulary (ids must be below " +
                    std::to_string(id_limit) + ")");
  tokens_by_id_.assign(static_cast<size_t>(max_id + 1), std::string());
  id_present_.assign(static_cast<size_t>(max_id + 1), false);
  for (const auto& [token, id] : ids_by_token_) {
    tokens_by_id_[id] = token;
    id_present_[id] = true;
    size_t pos = 0;
    if (!token.empty() && is_valid_utf8(token)) {
      const char32_t cp = next_code_point(token, pos);
      if (pos == token.size()) single_char_ids_.emplace(cp, id);
    }
  }
}

void BpeModel::load_merges(const Json& merges, const std::string& where) {
  merges_.reserve(merges.size());
  const size_t prefix_length = continuing_subword_prefix_.size();
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const Json& merge = merges[rank];
    std::string left, right;
    if (merge.is_string()) {
      const std::string text = merge.get<std::string>();
      const size_t space = text.find(' ');
      if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos)
        throw UserError(where + "[" + std::to_string(rank) + "]: merge \"" + text +
                        "\" must be two tokens separated by one space");
      left = text.substr(0, space);
      right = text.substr(space + 1);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
      left = merge[0].get<std::string>();
      right = merge[1].get<std::string>();
    } else {
      throw UserError(where + "[" + std::to_string(rank) + "]: a merge must be \"a b\" or [\"a\", \"b\"], got " +
                      merge_text(merge));
    }
    const auto lookup = [&](const std::string& token) {
      const auto it = ids_by_token_.find(token);
      if (it == ids_by_token_.end())
        throw UserError(where + "[" + std::to_string(rank) + "]: merge " + merge_text(merge) +
                        " names token \"" + token + "\" which is not in the vocabulary");
      return it->second;
    };
    const int32_t left_id = lookup(left);
    const int32_t right_id = lookup(right);
    const std::string right_rest = right.size() >= prefix_length ? right.substr(prefix_length) : right;
    const int32_t merged_id = lookup(left + right_rest);
    merges_.try_emplace(pair_key(left_id, right_id), MergeTarget{static_cast<int32_t>(rank), merged_id});
  }
}

std::optional<int64_t> BpeModel::token_to_id(std::string_view token) const {
  const auto it = ids_by_token_.find(std::string(token));
  if (it == ids_by_token_.end()) return std::nullopt;
  return it->second;
}

const std::string* BpeModel::id_to_token(int64_t id) const {
  if (id < 0 || id >= id_limit() || !id_present_[static_cast<size_t>(id)]) return nullptr;
  return &tokens_by_id_[static_cast<size_t>(id)];
}

std::vector<BpeModel::Symbol> BpeModel::initial_symbols(const std::string& word) const {
  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  const bool plain = continuing_subword_prefix_.empty() && end_of_word_suffix_.empty();
  bool previous_was_unk = false;
  size_t pos = 0;
  std::string piece;
  while (pos < word.size()) {
    const size_t start = pos;
    const char32_t cp = next_code_point(word, pos);
    std::optional<int32_t> id;
    if (plain) {
      const auto it = single_char_ids_.find(cp);
      if (it != single_char_ids_.end()) id = it->second;
    } else {
      piece.clear();
      if (start > 0) piece += continuing_subword_prefix_;
      piece.append(word, start, pos - start);
      if (pos == word.size()) piece += end_of_word_suffix_;
      const auto it = ids_by_token_.find(piece);
      if (it != ids_by_token_.end()) id = it->second;
    }
    if (id) {
      symbols.push_back({*id, 0, 0});
      previous_was_unk = false;
      continue;
    }
    if (byte_fallback_) {
      std::vector<int32_t> byte_ids;
      for (size_t k = start; k < pos; ++k) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", static_cast<unsigned>(static_cast<unsigned char>(word[k])));
        const auto it = ids_by_token_.find(name);
        if (it == ids_by_token_.end()) break;
        byte_ids.push_back(it->second);
      }
      if (byte_ids.size() == pos - start) {
        for (int32_t byte_id : byte_ids) symbols.push_back({byte_id, 0, 0});
        previous_was_unk = false;
        continue;
      }
    }
    // Without an unknown token the character is dropped, as the reference does.
    if (unk_id_ && !(fuse_unk_ && previous_was_unk)) symbols.push_back({*unk_id_, 0, 0});
    if (unk_id_) previous_was_unk = true;
  }
  for (size_t i = 0; i < symbols.size(); ++i) {
    symbols[i].prev = static_cast<int32_t>(i) - 1;
    symbols[i].next = i + 1 < symbols.size() ? static_cast<int32_t>(i + 1) : -1;
  }
  return symbols;
}

void BpeModel::apply_merges(std::vector<Symbol>& symbols) const {
  struct Candidate {
    int32_t rank;
    int32_t pos;
    int32_t new_id;
    // Lowest rank first, then leftmost.
    bool operator<(const Candidate& other) const {
      return rank != other.rank ? rank > other.rank : pos > other.pos;
    }
  };
  std::priority_queue<Candidate> queue;
  const auto push_pair = [&](int32_t pos) {
    const int32_t next = symbols[pos].next;
    if (next < 0) return;
    const auto it = merges_.find(pair_key(symbols[pos].id, symbols[next].id));
    if (it != merges_.end()) queue.push({it->second.rank, pos, it->second.id});
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i) push_pair(i);
  std::vector<bool> removed(symbols.size(), false);
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    if (removed[top.pos]) continue;
    const int32_t next = symbols[top.pos].next;
    if (next < 0) continue;
    const auto it = merges_.find(pair_key(symbols[top.pos].id, symbols[next].id));
    if (it == merges_.end() || it->second.id != top.new_id) continue;
    symbols[top.pos].id = top.new_id;
    symbols[top.pos].next = symbols[next].next;
    if (symbols[next].next >= 0) symbols[symbols[next].next].prev = top.pos;
    removed[next] = true;
    if (symbols[top.pos].prev >= 0) push_pair(symbols[top.pos].prev);
    push_pair(top.pos);
  }
  std::vector<Symbol> kept;
  kept.reserve(symbols.size());
  for (size_t i = 0; i < symbols.size(); ++i)
    if (!removed[i]) kept.push_back(symbols[i]);
  symbols = std::move(kept);
}

void BpeModel::encode_word(const std::string& word, std::vector<int64_t>& ids) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    const auto it = ids_by_token_.find(word);
    if (it != ids_by_token_.end()) {
      ids.push_back(it->second);
      return;
    }
  }
  const bool cacheable = word.size() <= kMaxCachedWordBytes;
  if (cacheable) {
    std::lock_guard lock(cache_->mutex);
    const auto it = cache_->words.find(word);
    if (it != cache_->words.end()) {
      ids.insert(ids.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<Symbol> symbols = initial_symbols(word);
  apply_merges(symbols);
  std::vector<int32_t> word_ids;
  word_ids.reserve(symbols.size());
  for (const auto& symbol : symbols) word_ids.push_back(symbol.id);
  ids.insert(ids.end(), word_ids.begin(), word_ids.end());
  if (cacheable) {
    std::lock_guard lock(cache_->mutex);
    if (cache_->words.size() < kMaxCachedWords) cache_->words.emplace(word, std::move(word_ids));
  }
}

}  // namespace dlmeval::tokenizer
