#pragma once
// Decoders of tokenizer.json ("decoder" field): ByteLevel, Replace, Strip, ByteFallback, Fuse and
// Sequence. Like the reference, each one maps a list of token strings to a new list, and the
// final list is concatenated.
#include <memory>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval::tokenizer {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
};

// Builds the decoder described by `spec`; a null spec gives nullptr.
std::unique_ptr<Decoder> make_decoder(const Json& spec, const std::string& where);

}  // namespace dlmeval::tokenizer
