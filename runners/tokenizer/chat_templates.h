#pragma once
// Chat templates rendered in code rather than by a Jinja engine: the templates of the supported
// model families are recognised in tokenizer_config.json (or chosen by name) and reproduced
// exactly, including their whitespace handling.
#include <optional>
#include <string>

#include "harness/core/json_io.h"

namespace dlmeval::tokenizer {

enum class ChatFamily {
  // LLaDA / iLLaDA / Llama 3: bos + <|start_header_id|>role<|end_header_id|>\n\n{content|trim}<|eot_id|>
  Llada,
  // ChatML (<|im_start|>role\ncontent<|im_end|>\n), optionally with a default system message (Qwen2, Dream).
  ChatMl,
  // Qwen3's ChatML, which moves <think> reasoning of the last assistant turns into its own block.
  Qwen3,
};

struct ChatTemplate {
  ChatFamily family = ChatFamily::ChatMl;
  // Whether the assistant header is appended only when asked for (LLaDA's own template always
  // appends it).
  bool generation_prompt_is_optional = true;
  // ChatML: system message inserted when the conversation does not start with one.
  std::optional<std::string> default_system;
};

// Names accepted where a template is chosen explicitly.
inline constexpr const char* kChatTemplateNames = "llada, chatml, qwen2 (ChatML with default system), dream, qwen3";

// Recognises a Jinja template text; nullopt for a template this code cannot reproduce.
std::optional<ChatTemplate> recognise_chat_template(const std::string& jinja);
// A template by name; UserError listing the names for an unknown one.
ChatTemplate chat_template_by_name(const std::string& name);

// Renders `messages` (array of {"role", "content"}); UserError naming the message for bad input.
std::string render_chat(const ChatTemplate& chat_template, const Json& messages, bool add_generation_prompt,
                        const std::string& bos_token);

}  // namespace dlmeval::tokenizer
