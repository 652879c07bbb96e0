// `dlmeval tokenize`: encode, decode or render chats with a checkpoint's tokenizer, for one
// string on the command line or for every line of a JSON-lines file.
#include <cstdio>
#include <memory>
#include <sstream>

#include "harness/command_registry.h"
#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "runners/tokenizer/tokenizer.h"

namespace dlmeval {
namespace {

struct TokenizeOptions {
  std::string tokenizer_path;
  std::string text;
  std::string input;
  std::string output;
  std::string chat_template;
  bool decode = false;
  bool skip_special_tokens = false;
  bool chat = false;
  bool add_special_tokens = false;
  bool text_given = false;  // --text "" is a valid (empty) text
};

// `--decode --text` takes the ids as a JSON array ("[1, 2]") or separated by spaces/commas.
std::vector<int64_t> parse_id_list(const std::string& text) {
  std::vector<int64_t> ids;
  if (text.find('[') != std::string::npos) {
    try {
      return Json::parse(text).get<std::vector<int64_t>>();
    } catch (const std::exception&) {
      throw UserError("--text: expected a JSON array of integer ids, got: " + text);
    }
  }
  std::string cleaned = text;
  for (char& c : cleaned)
    if (c == ',') c = ' ';
  std::istringstream in(cleaned);
  std::string word;
  while (in >> word) {
    size_t used = 0;
    int64_t id = 0;
    try {
      id = std::stoll(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != word.size()) throw UserError("--text: \"" + word + "\" is not an integer token id");
    ids.push_back(id);
  }
  return ids;
}

std::vector<int64_t> record_ids(const Json& record, const std::string& where) {
  const auto it = record.find("ids");
  if (it == record.end() || !it->is_array()) throw UserError(where + ": missing array field \"ids\"");
  std::vector<int64_t> ids;
  for (const auto& id : *it) {
    if (!id.is_number_integer()) throw UserError(where + ": \"ids\" must hold integers only");
    ids.push_back(id.get<int64_t>());
  }
  return ids;
}

std::string record_string(const Json& record, const char* key, const std::string& where) {
  const auto it = record.find(key);
  if (it == record.end() || !it->is_string()) throw UserError(where + ": missing string field \"" + key + "\"");
  return it->get<std::string>();
}

bool record_generation_prompt(const Json& record, const std::string& where) {
  const auto it = record.find("add_generation_prompt");
  if (it == record.end() || it->is_null()) return false;
  if (!it->is_boolean()) throw UserError(where + ": \"add_generation_prompt\" must be true or false");
  return it->get<bool>();
}

// Adds the requested outputs to one record.
void process_record(const Tokenizer& tokenizer, const TokenizeOptions& options, Json& record, const std::string& where) {
  if (!record.is_object()) throw UserError(where + ": expected a JSON object");
  try {
    if (options.decode) {
      record["text"] = tokenizer.decode(record_ids(record, where), options.skip_special_tokens);
    } else if (options.chat) {
      if (!record.contains("messages")) throw UserError("missing field \"messages\"");
      const std::string text =
          tokenizer.apply_chat_template(record["messages"], record_generation_prompt(record, where));
      record["text"] = text;
      record["ids"] = tokenizer.encode(text, options.add_special_tokens);
    } else {
      record["ids"] = tokenizer.encode(record_string(record, "text", where), options.add_special_tokens);
    }
  } catch (const UserError& e) {
    const std::string message = e.what();
    throw UserError(message.rfind(where, 0) == 0 ? message : where + ": " + message);
  }
}

int run_on_text(const Tokenizer& tokenizer, const TokenizeOptions& options) {
  if (options.decode) {
    const std::string text = tokenizer.decode(parse_id_list(options.text), options.skip_special_tokens);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  if (options.chat) {
    Json record;
    try {
      record["messages"] = Json::parse(options.text);
    } catch (const Json::exception&) {
      throw UserError("--text with --chat must be a JSON array of {\"role\", \"content\"} messages");
    }
    record["add_generation_prompt"] = true;
    process_record(tokenizer, options, record, "--text");
    std::printf("%s\n", record.dump().c_str());
    return 0;
  }
  std::printf("%s\n", Json(tokenizer.encode(options.text, options.add_special_tokens)).dump().c_str());
  return 0;
}

int run_on_file(const Tokenizer& tokenizer, const TokenizeOptions& options) {
  std::string out;
  size_t count = 0;
  for_each_jsonl(options.input, [&](const Json& record, size_t line) {
    Json copy = record;
    process_record(tokenizer, options, copy, options.input + ":" + std::to_string(line));
    out += copy.dump();
    out += '\n';
    ++count;
  });
  write_text_file_atomic(options.output, out);
  std::fprintf(stderr, "tokenize: wrote %zu records to %s\n", count, options.output.c_str());
  return 0;
}

int run(const TokenizeOptions& options) {
  const bool has_text = options.text_given;
  const bool has_input = !options.input.empty();
  if (has_text == has_input) throw UserError("tokenize: give exactly one of --text or --input");
  if (has_input && options.output.empty()) throw UserError("tokenize: --input needs --output");
  if (options.decode && options.chat) throw UserError("tokenize: --decode and --chat cannot be combined");
  if (options.skip_special_tokens && !options.decode) throw UserError("tokenize: --skip-special-tokens needs --decode");
  const Tokenizer tokenizer = Tokenizer::load(options.tokenizer_path, TokenizerOptions{options.chat_template});
  return has_text ? run_on_text(tokenizer, options) : run_on_file(tokenizer, options);
}

const bool registered = register_command(
    {"tokenize", "Encode, decode or render chats with a checkpoint's tokenizer",
     [](CLI::App& sub) -> std::function<int()> {
       auto options = std::make_shared<TokenizeOptions>();
       sub.add_option("--tokenizer", options->tokenizer_path, "tokenizer.json or a checkpoint folder")->required();
       CLI::Option* text_option =
           sub.add_option("--text", options->text, "One text to encode (ids with --decode, JSON messages with --chat)");
       sub.add_option("--input", options->input, "JSON lines: {\"text\"}, {\"ids\"} with --decode, {\"messages\"} with --chat");
       sub.add_option("--output", options->output, "JSON lines written with \"ids\" and/or \"text\" added");
       sub.add_flag("--decode", options->decode, "Decode ids to text");
       sub.add_flag("--skip-special-tokens", options->skip_special_tokens, "Drop special tokens when decoding");
       sub.add_flag("--chat", options->chat, "Render chat messages with the chat template, then encode");
       sub.add_flag("--add-special-tokens", options->add_special_tokens, "Run the post-processor (e.g. add BOS)");
       sub.add_option("--chat-template", options->chat_template,
                      "Built-in chat template to use instead of the configured one: llada, chatml, qwen2, dream, qwen3");
       return [options, text_option] {
         options->text_given = text_option->count() > 0;
         return run(*options);
       };
     }});

}  // namespace
}  // namespace dlmeval
