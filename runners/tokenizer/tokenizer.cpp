#include "runners/tokenizer/tokenizer.h"

#include "harness/core/error.h"
#include "runners/tokenizer/tokenizer_impl.h"
#include "harness/core/utf8.h"

namespace dlmeval {

std::vector<int64_t> Tokenizer::encode(const std::string& text, bool add_special_tokens) const {
  const Impl& impl = *impl_;
  if (!is_valid_utf8(text)) throw UserError("text to encode is not valid UTF-8");
  std::vector<int64_t> ids;
  ids.reserve(text.size() / 3 + 4);
  std::vector<std::string> pieces;
  for (auto& segment : impl.added.split(text, impl.normalizer.get())) {
    if (segment.id) {
      ids.push_back(*segment.id);
      continue;
    }
    pieces.clear();
    pieces.push_back(std::move(segment.text));
    if (impl.pre_tokenizer) impl.pre_tokenizer->pre_tokenize(pieces);
    for (const auto& piece : pieces) impl.model->encode_word(piece, ids);
  }
  if (add_special_tokens) impl.post_processor->add_special_tokens(ids);
  return ids;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
  const Impl& impl = *impl_;
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int64_t id : ids) {
    if (const auto* added = impl.added.find_by_id(id)) {
      if (!(skip_special_tokens && added->special)) tokens.push_back(added->content);
      continue;
    }
    const std::string* token = impl.model->id_to_token(id);
    if (!token) continue;  // out of the vocabulary: dropped, as the reference does
    if (skip_special_tokens) {
      const auto* same = impl.added.find_by_content(*token);
      if (same && same->special) continue;
    }
    tokens.push_back(*token);
  }
  if (!impl.decoder) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) joined += (i ? " " : "") + tokens[i];
    return joined;
  }
  impl.decoder->decode_chain(tokens);
  std::string out;
  for (const auto& token : tokens) out += token;
  return out;
}

std::string Tokenizer::apply_chat_template(const Json& messages, bool add_generation_prompt) const {
  const Impl& impl = *impl_;
  if (impl.chat_template)
    return tokenizer::render_chat(*impl.chat_template, messages, add_generation_prompt, impl.bos_token.value_or(""));
  if (!impl.jinja_chat_template) throw UserError(impl.chat_template_problem);
  // What transformers passes: the messages, the flag, and the special tokens the config defines.
  Json context = {{"messages", messages}, {"add_generation_prompt", add_generation_prompt}};
  if (impl.bos_token) context["bos_token"] = *impl.bos_token;
  if (impl.eos_token) context["eos_token"] = *impl.eos_token;
  if (impl.pad_token) context["pad_token"] = *impl.pad_token;
  return impl.jinja_chat_template->render(context);
}

std::optional<int64_t> Tokenizer::token_to_id(const std::string& token) const {
  if (const auto* added = impl_->added.find_by_content(token)) return added->id;
  return impl_->model->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(int64_t id) const {
  if (const auto* added = impl_->added.find_by_id(id)) return added->content;
  if (const std::string* token = impl_->model->id_to_token(id)) return *token;
  return std::nullopt;
}

std::optional<std::string> Tokenizer::bos_token() const { return impl_->bos_token; }
std::optional<std::string> Tokenizer::eos_token() const { return impl_->eos_token; }
std::optional<std::string> Tokenizer::pad_token() const { return impl_->pad_token; }

bool Tokenizer::is_special(int64_t id) const {
  const auto* added = impl_->added.find_by_id(id);
  return added && added->special;
}

int64_t Tokenizer::vocab_size() const {
  int64_t size = impl_->model->id_limit();
  for (const auto& token : impl_->added.tokens()) size = std::max(size, token.id + 1);
  return size;
}

}  // namespace dlmeval
