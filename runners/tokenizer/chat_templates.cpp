#include "runners/tokenizer/chat_templates.h"

#include <string_view>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/utf8.h"

namespace dlmeval::tokenizer {
namespace {

struct Message {
  std::string role;
  std::string content;
  std::optional<std::string> reasoning_content;
};

std::vector<Message> read_messages(const Json& messages) {
  if (!messages.is_array()) throw UserError("chat messages must be a JSON array of {\"role\", \"content\"} objects");
  std::vector<Message> out;
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& message = messages[i];
    const std::string where = "chat message " + std::to_string(i);
    if (!message.is_object()) throw UserError(where + ": must be an object with \"role\" and \"content\"");
    if (!message.contains("role") || !message["role"].is_string())
      throw UserError(where + ": missing string field \"role\"");
    if (!message.contains("content") || !message["content"].is_string())
      throw UserError(where + ": missing string field \"content\"");
    if (message.contains("tool_calls") && !message["tool_calls"].is_null())
      throw UserError(where + ": \"tool_calls\" are not supported by the built-in chat templates");
    Message parsed{message["role"].get<std::string>(), message["content"].get<std::string>(), std::nullopt};
    if (!is_valid_utf8(parsed.role) || !is_valid_utf8(parsed.content))
      throw UserError(where + ": \"role\" and \"content\" must be valid UTF-8");
    if (message.contains("reasoning_content") && message["reasoning_content"].is_string())
      parsed.reasoning_content = message["reasoning_content"].get<std::string>();
    out.push_back(std::move(parsed));
  }
  return out;
}

// JavaScript's String.prototype.trim (the reference renders with @huggingface/jinja), which
// also matches Python's str.strip on every whitespace character that occurs in practice.
bool is_js_white_space(char32_t cp) {
  switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string trim(std::string_view text) {
  size_t begin = 0;
  while (begin < text.size()) {
    size_t next = begin;
    if (!is_js_white_space(next_code_point(text, next))) break;
    begin = next;
  }
  size_t end = text.size();
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t probe = start;
    if (!is_js_white_space(next_code_point(text, probe))) break;
    end = start;
  }
  return std::string(text.substr(begin, end - begin));
}

std::string strip_newlines_left(std::string_view text) {
  const size_t begin = text.find_first_not_of('\n');
  return begin == std::string_view::npos ? std::string() : std::string(text.substr(begin));
}

std::string strip_newlines_right(std::string_view text) {
  const size_t end = text.find_last_not_of('\n');
  return end == std::string_view::npos ? std::string() : std::string(text.substr(0, end + 1));
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string render_llada(const ChatTemplate& chat_template, const std::vector<Message>& messages,
                         bool add_generation_prompt, const std::string& bos_token) {
  std::string out;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i == 0) out += bos_token;
    out += "<|start_header_id|>" + messages[i].role + "<|end_header_id|>\n\n" + trim(messages[i].content) +
           "<|eot_id|>";
  }
  if (add_generation_prompt || !chat_template.generation_prompt_is_optional)
    out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

std::string render_chatml(const ChatTemplate& chat_template, const std::vector<Message>& messages,
                          bool add_generation_prompt) {
  std::string out;
  if (chat_template.default_system && (messages.empty() || messages[0].role != "system"))
    out += "<|im_start|>system\n" + *chat_template.default_system + "<|im_end|>\n";
  for (const auto& message : messages) out += "<|im_start|>" + message.role + "\n" + message.content + "<|im_end|>\n";
  if (add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

std::string render_qwen3(const std::vector<Message>& messages, bool add_generation_prompt) {
  std::string out;
  if (!messages.empty() && messages[0].role == "system")
    out += "<|im_start|>system\n" + messages[0].content + "<|im_end|>\n";
  // The last user turn that is a real query (not a wrapped tool response); reasoning is kept only
  // for assistant turns after it.
  size_t last_query_index = messages.empty() ? 0 : messages.size() - 1;
  for (size_t k = messages.size(); k-- > 0;) {
    const Message& message = messages[k];
    if (message.role == "user" &&
        !(starts_with(message.content, "<tool_response>") && ends_with(message.content, "</tool_response>"))) {
      last_query_index = k;
      break;
    }
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    const Message& message = messages[i];
    const bool first = i == 0;
    const bool last = i + 1 == messages.size();
    if (message.role == "user" || (message.role == "system" && !first)) {
      out += "<|im_start|>" + message.role + "\n" + message.content + "<|im_end|>\n";
    } else if (message.role == "assistant") {
      std::string content = message.content;
      std::string reasoning;
      if (message.reasoning_content) {
        reasoning = *message.reasoning_content;
      } else if (const size_t close = message.content.find("</think>"); close != std::string::npos) {
        content = strip_newlines_left(std::string_view(message.content).substr(message.content.rfind("</think>") + 8));
        std::string before = strip_newlines_right(std::string_view(message.content).substr(0, close));
        const size_t open = before.rfind("<think>");
        reasoning = strip_newlines_left(open == std::string::npos ? before : before.substr(open + 7));
      }
      if (i > last_query_index && (last || !reasoning.empty())) {
        out += "<|im_start|>" + message.role + "\n<think>\n" + strip_newlines_left(strip_newlines_right(reasoning)) +
               "\n</think>\n\n" + strip_newlines_left(content);
      } else {
        out += "<|im_start|>" + message.role + "\n" + content;
      }
      out += "<|im_end|>\n";
    } else if (message.role == "tool") {
      if (first || messages[i - 1].role != "tool") out += "<|im_start|>user";
      out += "\n<tool_response>\n" + message.content + "\n</tool_response>";
      if (last || messages[i + 1].role != "tool") out += "<|im_end|>\n";
    }
  }
  if (add_generation_prompt) out += "<|im_start|>assistant\n";
  return out;
}

// The literal default system message of a ChatML template, written in the Jinja source as
// '<|im_start|>system\nYou are ...<|im_end|>\n'.
std::optional<std::string> default_system_message(const std::string& jinja) {
  static constexpr std::string_view opener = "<|im_start|>system\\n";
  size_t pos = 0;
  while ((pos = jinja.find(opener, pos)) != std::string::npos) {
    pos += opener.size();
    const size_t end = jinja.find("<|im_end|>", pos);
    if (end == std::string::npos) break;
    const std::string_view literal(jinja.data() + pos, end - pos);
    if (!literal.empty() && literal.find_first_of("'\"+{}") == std::string_view::npos) return std::string(literal);
  }
  return std::nullopt;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

std::optional<ChatTemplate> recognise_chat_template(const std::string& jinja) {
  if (contains(jinja, "<|start_header_id|>") && contains(jinja, "<|eot_id|>") && contains(jinja, "| trim") &&
      contains(jinja, "bos_token") && !contains(jinja, "tools")) {
    ChatTemplate result{ChatFamily::Llada, contains(jinja, "add_generation_prompt"), std::nullopt};
    return result;
  }
  if (contains(jinja, "<|im_start|>") && contains(jinja, "<|im_end|>")) {
    if (contains(jinja, "reasoning_content") && contains(jinja, "last_query_index"))
      return ChatTemplate{ChatFamily::Qwen3, true, std::nullopt};
    if (!contains(jinja, "add_generation_prompt")) return std::nullopt;
    return ChatTemplate{ChatFamily::ChatMl, true, default_system_message(jinja)};
  }
  return std::nullopt;
}

ChatTemplate chat_template_by_name(const std::string& name) {
  if (name == "llada") return {ChatFamily::Llada, true, std::nullopt};
  if (name == "chatml") return {ChatFamily::ChatMl, true, std::nullopt};
  if (name == "qwen2" || name == "dream") return {ChatFamily::ChatMl, true, "You are a helpful assistant."};
  if (name == "qwen3") return {ChatFamily::Qwen3, true, std::nullopt};
  throw UserError("unknown chat template name \"" + name + "\" (known: " + kChatTemplateNames + ")");
}

std::string render_chat(const ChatTemplate& chat_template, const Json& messages, bool add_generation_prompt,
                        const std::string& bos_token) {
  const std::vector<Message> parsed = read_messages(messages);
  switch (chat_template.family) {
    case ChatFamily::Llada:
      return render_llada(chat_template, parsed, add_generation_prompt, bos_token);
    case ChatFamily::ChatMl:
      return render_chatml(chat_template, parsed, add_generation_prompt);
    case ChatFamily::Qwen3:
      return render_qwen3(parsed, add_generation_prompt);
  }
  return {};
}

}  // namespace dlmeval::tokenizer
