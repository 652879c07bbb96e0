#pragma once
// The parts a loaded Tokenizer is made of; shared by the loader and the encode/decode code.
#include <memory>
#include <optional>
#include <string>

#include "runners/tokenizer/added_tokens.h"
#include "runners/tokenizer/bpe_model.h"
#include "harness/core/jinja.h"
#include "runners/tokenizer/chat_templates.h"
#include "runners/tokenizer/decoders.h"
#include "runners/tokenizer/normalizers.h"
#include "runners/tokenizer/post_processors.h"
#include "runners/tokenizer/pre_tokenizers.h"
#include "runners/tokenizer/tokenizer.h"

namespace dlmeval {

struct Tokenizer::Impl {
  std::string source;  // tokenizer.json path, for messages
  std::unique_ptr<tokenizer::Normalizer> normalizer;
  std::unique_ptr<tokenizer::PreTokenizer> pre_tokenizer;
  std::unique_ptr<tokenizer::BpeModel> model;
  std::unique_ptr<tokenizer::PostProcessor> post_processor;
  std::unique_ptr<tokenizer::Decoder> decoder;
  tokenizer::AddedVocabulary added;

  std::optional<std::string> bos_token, eos_token, pad_token;
  std::optional<tokenizer::ChatTemplate> chat_template;
  // A template the built-in ones do not reproduce, rendered by the Jinja engine as transformers would.
  std::shared_ptr<const JinjaTemplate> jinja_chat_template;
  // Why there is no usable chat template (shown when one is asked for).
  std::string chat_template_problem;
};

}  // namespace dlmeval
