// Reads tokenizer.json and tokenizer_config.json into a Tokenizer.
#include <filesystem>

#include "harness/core/error.h"
#include "runners/tokenizer/json_fields.h"
#include "runners/tokenizer/tokenizer.h"
#include "runners/tokenizer/tokenizer_impl.h"

namespace dlmeval {
namespace {

namespace fs = std::filesystem;
using namespace dlmeval::tokenizer;

const Json& field_or_null(const Json& object, const char* key) {
  static const Json null_json;
  const auto it = object.find(key);
  return it == object.end() ? null_json : *it;
}

// bos_token & co. are written either as a string or as an added-token object.
std::optional<std::string> config_token(const Json& config, const char* key, const std::string& where) {
  const Json& value = field_or_null(config, key);
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value["content"].is_string())
    return value["content"].get<std::string>();
  throw UserError(where + ": \"" + key + "\" must be a string, an object with \"content\", or null");
}

// The template text: a string, or a list of {"name", "template"} where "default" is used.
std::optional<std::string> config_chat_template(const Json& config, const fs::path& folder, const std::string& where) {
  const Json& value = field_or_null(config, "chat_template");
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    for (const auto& entry : value)
      if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template") &&
          entry["template"].is_string())
        return entry["template"].get<std::string>();
    throw UserError(where + ": \"chat_template\" list has no entry named \"default\"");
  }
  const fs::path jinja_file = folder / "chat_template.jinja";
  if (fs::is_regular_file(jinja_file)) return read_file_bytes(jinja_file.string());
  return std::nullopt;
}

void read_added_tokens(const Json& tokenizer_json, AddedVocabulary& added, const std::string& where) {
  const Json& list = field_or_null(tokenizer_json, "added_tokens");
  if (list.is_null()) return;
  if (!list.is_array()) throw UserError(where + ": \"added_tokens\" must be an array");
  for (size_t i = 0; i < list.size(); ++i)
    added.add(parse_added_token(list[i], std::nullopt, where + ": added_tokens[" + std::to_string(i) + "]"));
}

void read_config(const Json& config, const fs::path& folder, const TokenizerOptions& options,
                 const std::string& where, Tokenizer::Impl& impl) {
  if (!config.is_object()) throw UserError(where + ": expected a JSON object");
  const Json& decoder_tokens = field_or_null(config, "added_tokens_decoder");
  if (decoder_tokens.is_object()) {
    for (const auto& [id_text, spec] : decoder_tokens.items()) {
      int64_t id = -1;
      try {
        id = std::stoll(id_text);
      } catch (const std::exception&) {
      }
      if (id < 0) throw UserError(where + ": added_tokens_decoder key \"" + id_text + "\" is not a token id");
      impl.added.add(parse_added_token(spec, id, where + ": added_tokens_decoder[" + id_text + "]"));
    }
  }
  impl.bos_token = config_token(config, "bos_token", where);
  impl.eos_token = config_token(config, "eos_token", where);
  impl.pad_token = config_token(config, "pad_token", where);
  if (!options.chat_template.empty()) return;
  const auto jinja = config_chat_template(config, folder, where);
  if (!jinja) {
    impl.chat_template_problem = where + " has no chat_template; choose one by name (" +
                                 std::string(kChatTemplateNames) + "), e.g. --chat-template chatml";
    return;
  }
  impl.chat_template = recognise_chat_template(*jinja);
  if (impl.chat_template) return;
  // Any other template runs on the Jinja engine; one that does not parse is reported when a chat
  // prompt is asked for, so a tokenizer used without chat still loads.
  try {
    auto parsed = std::make_shared<JinjaTemplate>(JinjaTemplate::parse(*jinja, where + ": chat_template"));
    // transformers' strftime_now reads the clock; a fixed day keeps prompts reproducible.
    std::tm day{};
    day.tm_year = 2024 - 1900;
    day.tm_mon = 6;
    day.tm_mday = 26;
    parsed->set_strftime_now(day);
    impl.jinja_chat_template = std::move(parsed);
  } catch (const UserError& e) {
    impl.chat_template_problem = std::string(e.what()) + "; choose a built-in template by name (" +
                                 std::string(kChatTemplateNames) + "), e.g. --chat-template chatml";
  }
}

}  // namespace

Tokenizer Tokenizer::load(const std::string& path_to_file_or_folder) {
  return load(path_to_file_or_folder, TokenizerOptions{});
}

Tokenizer Tokenizer::load(const std::string& path_to_file_or_folder, const TokenizerOptions& options) {
  const fs::path given(path_to_file_or_folder);
  const fs::path json_path = fs::is_directory(given) ? given / "tokenizer.json" : given;
  if (!fs::is_regular_file(json_path))
    throw UserError(json_path.string() + ": no such tokenizer file (expected a tokenizer.json or a folder holding one)");
  const std::string where = json_path.string();
  const Json tokenizer_json = read_json_file(where);
  if (!tokenizer_json.is_object()) throw UserError(where + ": expected a JSON object");

  auto impl = std::make_shared<Impl>();
  impl->source = where;
  if (!tokenizer_json.contains("model") || !tokenizer_json["model"].is_object())
    throw UserError(where + ": missing \"model\" object");
  impl->model = std::make_unique<BpeModel>(tokenizer_json["model"], where + ": model");
  impl->normalizer = make_normalizer(field_or_null(tokenizer_json, "normalizer"), where + ": normalizer");
  impl->pre_tokenizer = make_pre_tokenizer(field_or_null(tokenizer_json, "pre_tokenizer"), where + ": pre_tokenizer");
  impl->post_processor =
      make_post_processor(field_or_null(tokenizer_json, "post_processor"), where + ": post_processor");
  impl->decoder = make_decoder(field_or_null(tokenizer_json, "decoder"), where + ": decoder");
  for (const char* unsupported : {"truncation", "padding"})
    if (!field_or_null(tokenizer_json, unsupported).is_null())
      throw UserError(where + ": \"" + unsupported + "\" settings are not supported; set it to null");
  read_added_tokens(tokenizer_json, impl->added, where);

  const fs::path folder = json_path.parent_path();
  const fs::path config_path = folder / "tokenizer_config.json";
  if (fs::is_regular_file(config_path)) {
    read_config(read_json_file(config_path.string()), folder, options, config_path.string(), *impl);
  } else if (options.chat_template.empty()) {
    impl->chat_template_problem = "no tokenizer_config.json beside " + where + ", so no chat template; choose one by name (" +
                                  std::string(kChatTemplateNames) + "), e.g. --chat-template chatml";
  }
  if (!options.chat_template.empty()) impl->chat_template = chat_template_by_name(options.chat_template);
  impl->added.build(impl->normalizer.get());
  return Tokenizer(std::move(impl));
}

}  // namespace dlmeval
