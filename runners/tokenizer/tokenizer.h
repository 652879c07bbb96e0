#pragma once
// Hugging Face compatible tokenizer: reads tokenizer.json (byte-level BPE and the components
// around it) and tokenizer_config.json (special tokens, chat template), and encodes / decodes
// byte-exactly as the reference `tokenizers` library does.
//
// A Tokenizer is immutable after loading, cheap to copy and move (it shares its state), and safe
// to use from several threads at once.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

struct TokenizerOptions {
  // Chat template chosen by name (llada, chatml, qwen2, dream, qwen3), overriding the one in
  // tokenizer_config.json. Empty: use the configured template.
  std::string chat_template;
};

class Tokenizer {
 public:
  // `path` is a tokenizer.json file or a checkpoint folder holding one; tokenizer_config.json
  // beside it is read when present. UserError for missing or malformed files and for any
  // component this implementation does not support (named in the message).
  static Tokenizer load(const std::string& path_to_file_or_folder);
  static Tokenizer load(const std::string& path_to_file_or_folder, const TokenizerOptions& options);

  // `text` must be valid UTF-8 (UserError otherwise). Added tokens written in the text are
  // recognised whatever `add_special_tokens` says; that flag only runs the post-processor
  // (e.g. a BOS prepended by a TemplateProcessing post-processor).
  std::vector<int64_t> encode(const std::string& text, bool add_special_tokens = false) const;
  // Ids outside the vocabulary are dropped; invalid UTF-8 becomes U+FFFD as in from_utf8_lossy.
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = false) const;

  // Renders [{"role", "content"}, ...] with the chat template: a recognised family's built-in
  // renderer, else the configured Jinja template on harness/core/jinja.h as transformers renders
  // it (messages, add_generation_prompt and the configured bos/eos/pad tokens; strftime_now fixed
  // to 26 Jul 2024). UserError when there is no template or it does not parse (choose one with
  // TokenizerOptions).
  std::string apply_chat_template(const Json& messages, bool add_generation_prompt) const;

  std::optional<int64_t> token_to_id(const std::string& token) const;
  // Token string of `id` (added tokens included), if any.
  std::optional<std::string> id_to_token(int64_t id) const;
  std::optional<std::string> bos_token() const;
  std::optional<std::string> eos_token() const;
  std::optional<std::string> pad_token() const;
  // Whether `id` is an added token marked special (removed by decode with skip_special_tokens).
  bool is_special(int64_t id) const;
  // One more than the largest id of the model vocabulary and the added tokens.
  int64_t vocab_size() const;

  struct Impl;

 private:
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace dlmeval
