#pragma once
// Learns a small byte-level BPE tokenizer from a corpus and writes it in Hugging Face's
// tokenizer.json format, so a model trained by dlmeval ships a tokenizer that every loader reads
// like a real checkpoint's. LibTorch-free.
//
// Vocabulary: the 256 byte characters (ids 0-255, byte order), then one token per learned merge,
// then the special tokens <|startoftext|>, <|endoftext|>, <|eot_id|>, <|mdm_mask|>. Digits are
// always single tokens (the pre-tokenizer splits every \p{N}), which keeps arithmetic learnable.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

struct BpeTokenizerFiles {
  Json tokenizer;         // tokenizer.json
  Json tokenizer_config;  // tokenizer_config.json
  int64_t vocab_size = 0;
  int64_t bos_id = -1, eos_id = -1, eot_id = -1, mask_id = -1;
  size_t merges = 0;      // learned merges (fewer than asked when no pair repeats)
};

// Learns up to `max_merges` merges, most frequent pair first; ties break on the pair's text, so
// the result depends only on the corpus.
BpeTokenizerFiles learn_bpe_tokenizer(const std::vector<std::string>& corpus, size_t max_merges,
                                      int64_t model_max_length);

}  // namespace dlmeval
