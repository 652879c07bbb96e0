#include "runners/training/bpe_trainer.h"

#include <map>
#include <stdexcept>

#include "runners/tokenizer/byte_level.h"
#include "runners/tokenizer/pre_tokenizers.h"

namespace dlmeval {
namespace {

// LLaMA-3's split pattern with single digits (as LLaDA's tokenizer family uses), then bytes.
Json pre_tokenizer_spec() {
  return Json{{"type", "Sequence"},
              {"pretokenizers",
               Json::array({Json{{"type", "Split"},
                                 {"pattern",
                                  {{"Regex",
                                    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
                                    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}}},
                                 {"behavior", "Isolated"},
                                 {"invert", false}},
                            Json{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false},
                                 {"use_regex", false}}})}};
}

Json byte_level_component() {
  return Json{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
}

// The code points of a byte-level piece, each as its own UTF-8 string.
std::vector<std::string> split_chars(const std::string& piece) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < piece.size()) {
    const unsigned char lead = static_cast<unsigned char>(piece[i]);
    const size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    out.push_back(piece.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace

BpeTokenizerFiles learn_bpe_tokenizer(const std::vector<std::string>& corpus, size_t max_merges,
                                      int64_t model_max_length) {
  const Json pre_spec = pre_tokenizer_spec();
  const auto pre = tokenizer::make_pre_tokenizer(pre_spec, "bpe trainer");
  std::map<std::string, int64_t> piece_counts;
  for (const std::string& text : corpus) {
    std::vector<std::string> pieces{text};
    pre->pre_tokenize(pieces);
    for (const std::string& piece : pieces) ++piece_counts[piece];
  }
  std::vector<std::pair<std::vector<std::string>, int64_t>> words;
  for (const auto& [piece, count] : piece_counts) words.push_back({split_chars(piece), count});

  Json vocab = Json::object();
  const auto& alphabet = tokenizer::ByteLevelAlphabet::instance();
  for (int b = 0; b < 256; ++b) vocab[alphabet.char_of(static_cast<uint8_t>(b))] = b;
  int64_t next_id = 256;
  Json merges = Json::array();
  while (merges.size() < max_merges) {
    std::map<std::pair<std::string, std::string>, int64_t> pair_counts;
    for (const auto& [symbols, count] : words) {
      for (size_t i = 0; i + 1 < symbols.size(); ++i) pair_counts[{symbols[i], symbols[i + 1]}] += count;
    }
    // std::map iterates in pair order, so the first maximum is the deterministic tie-break.
    auto best = pair_counts.end();
    for (auto it = pair_counts.begin(); it != pair_counts.end(); ++it) {
      if (best == pair_counts.end() || it->second > best->second) best = it;
    }
    if (best == pair_counts.end() || best->second < 2) break;
    const auto [left, right] = best->first;
    const std::string merged = left + right;
    merges.push_back(Json::array({left, right}));
    if (!vocab.contains(merged)) vocab[merged] = next_id++;
    for (auto& [symbols, count] : words) {
      std::vector<std::string> joined;
      for (size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
          joined.push_back(merged);
          ++i;
        } else {
          joined.push_back(symbols[i]);
        }
      }
      symbols = std::move(joined);
    }
  }

  BpeTokenizerFiles files;
  files.merges = merges.size();
  Json added = Json::array();
  Json added_decoder = Json::object();
  const char* specials[] = {"<|startoftext|>", "<|endoftext|>", "<|eot_id|>", "<|mdm_mask|>"};
  int64_t* ids[] = {&files.bos_id, &files.eos_id, &files.eot_id, &files.mask_id};
  for (size_t i = 0; i < std::size(specials); ++i) {
    *ids[i] = next_id;
    const Json spec = {{"content", specials[i]}, {"single_word", false}, {"lstrip", false},
                       {"rstrip", false},       {"normalized", false},  {"special", true}};
    Json with_id = spec;
    with_id["id"] = next_id;
    added.push_back(with_id);
    added_decoder[std::to_string(next_id)] = spec;
    ++next_id;
  }
  files.vocab_size = next_id;

  files.tokenizer = Json{{"version", "1.0"},
                         {"truncation", nullptr},
                         {"padding", nullptr},
                         {"added_tokens", added},
                         {"normalizer", nullptr},
                         {"pre_tokenizer", pre_spec},
                         {"post_processor", byte_level_component()},
                         {"decoder", byte_level_component()},
                         {"model",
                          {{"type", "BPE"},
                           {"dropout", nullptr},
                           {"unk_token", nullptr},
                           {"continuing_subword_prefix", ""},
                           {"end_of_word_suffix", ""},
                           {"fuse_unk", false},
                           {"byte_fallback", false},
                           {"ignore_merges", false},
                           {"vocab", vocab},
                           {"merges", merges}}}};
  files.tokenizer_config = Json{{"add_bos_token", false},
                                {"add_eos_token", false},
                                {"added_tokens_decoder", added_decoder},
                                {"bos_token", "<|startoftext|>"},
                                {"eos_token", "<|endoftext|>"},
                                {"pad_token", "<|endoftext|>"},
                                {"clean_up_tokenization_spaces", false},
                                {"model_max_length", model_max_length},
                                {"tokenizer_class", "PreTrainedTokenizerFast"}};
  return files;
}

}  // namespace dlmeval
