#pragma once
// Post-processors of tokenizer.json ("post_processor" field), applied only when encoding with
// add_special_tokens: ByteLevel (adds nothing), TemplateProcessing (single-sequence template),
// RobertaProcessing / BertProcessing (cls + text + sep) and Sequence.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval::tokenizer {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual void add_special_tokens(std::vector<int64_t>& ids) const = 0;
};

std::unique_ptr<PostProcessor> make_post_processor(const Json& spec, const std::string& where);

}  // namespace dlmeval::tokenizer
