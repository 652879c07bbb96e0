#pragma once
// Pre-tokenizers of tokenizer.json ("pre_tokenizer" field): Split, ByteLevel, Digits and
// Sequence. Each one refines a list of pieces; the model then encodes every piece on its own.
#include <memory>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval::tokenizer {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces `pieces` by their refinement; empty pieces are dropped.
  virtual void pre_tokenize(std::vector<std::string>& pieces) const = 0;
  // Whether the output pieces are written in the byte-level alphabet (needed by the model to
  // know how to read them, and by the decoder).
  virtual bool emits_byte_level() const { return false; }
};

// What happens to the matched parts when a piece is split (names as in tokenizer.json).
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// Builds the pre-tokenizer described by `spec`; a null spec gives nullptr.
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& spec, const std::string& where);

}  // namespace dlmeval::tokenizer
