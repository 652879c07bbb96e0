#pragma once
// Normalizers of tokenizer.json ("normalizer" field): NFC, NFKC, NFD, NFKD, Lowercase, Replace,
// Prepend, Strip and Sequence. Anything else is refused by name when the file is loaded.
#include <memory>
#include <string>

#include "harness/core/json_io.h"

namespace dlmeval::tokenizer {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  // Rewrites valid UTF-8 `text` in place.
  virtual void normalize(std::string& text) const = 0;
};

// Builds the normalizer described by `spec`; null spec gives nullptr. `where` names the file
// and field for error messages.
std::unique_ptr<Normalizer> make_normalizer(const Json& spec, const std::string& where);

}  // namespace dlmeval::tokenizer
