#include "runners/tokenizer/post_processors.h"

#include "harness/core/error.h"
#include "runners/tokenizer/json_fields.h"

namespace dlmeval::tokenizer {
namespace {

class NoSpecialTokens : public PostProcessor {
 public:
  void add_special_tokens(std::vector<int64_t>&) const override {}
};

// A fixed prefix and suffix around the single sequence.
class Wrap : public PostProcessor {
 public:
  Wrap(std::vector<int64_t> prefix, std::vector<int64_t> suffix)
      : prefix_(std::move(prefix)), suffix_(std::move(suffix)) {}
  void add_special_tokens(std::vector<int64_t>& ids) const override {
    ids.insert(ids.begin(), prefix_.begin(), prefix_.end());
    ids.insert(ids.end(), suffix_.begin(), suffix_.end());
  }

 private:
  std::vector<int64_t> prefix_, suffix_;
};

class SequenceProcessor : public PostProcessor {
 public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> steps) : steps_(std::move(steps)) {}
  void add_special_tokens(std::vector<int64_t>& ids) const override {
    for (const auto& step : steps_) step->add_special_tokens(ids);
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> steps_;
};

std::unique_ptr<PostProcessor> make_template(const Json& spec, const std::string& where) {
  const Json& single = array_field(spec, "single", where);
  const Json& special_tokens = spec.contains("special_tokens") ? spec["special_tokens"] : Json::object();
  std::vector<int64_t> prefix, suffix;
  bool seen_sequence = false;
  for (const auto& piece : single) {
    if (piece.contains("Sequence")) {
      seen_sequence = true;
      continue;
    }
    if (!piece.contains("SpecialToken"))
      throw UserError(where + ": a template piece must be {\"Sequence\": ...} or {\"SpecialToken\": ...}");
    const std::string name = string_field(piece["SpecialToken"], "id", where + ".single");
    if (!special_tokens.contains(name) || !special_tokens[name].contains("ids"))
      throw UserError(where + ": template names special token \"" + name + "\" missing from \"special_tokens\"");
    for (const auto& id : special_tokens[name]["ids"]) (seen_sequence ? suffix : prefix).push_back(id.get<int64_t>());
  }
  return std::make_unique<Wrap>(std::move(prefix), std::move(suffix));
}

int64_t token_pair_id(const Json& spec, const std::string& key, const std::string& where) {
  const auto it = spec.find(key);
  if (it == spec.end() || !it->is_array() || it->size() != 2 || !(*it)[1].is_number_integer())
    throw UserError(where + ": field \"" + key + "\" must be [token, id]");
  return (*it)[1].get<int64_t>();
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const Json& spec, const std::string& where) {
  if (spec.is_null()) return std::make_unique<NoSpecialTokens>();
  const std::string type = type_field(spec, where);
  if (type == "ByteLevel") return std::make_unique<NoSpecialTokens>();
  if (type == "TemplateProcessing") return make_template(spec, where + ".TemplateProcessing");
  if (type == "RobertaProcessing" || type == "BertProcessing")
    return std::make_unique<Wrap>(std::vector<int64_t>{token_pair_id(spec, "cls", where + "." + type)},
                                  std::vector<int64_t>{token_pair_id(spec, "sep", where + "." + type)});
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PostProcessor>> steps;
    const Json& list = array_field(spec, "processors", where + ".Sequence");
    for (size_t i = 0; i < list.size(); ++i)
      steps.push_back(make_post_processor(list[i], where + ".processors[" + std::to_string(i) + "]"));
    return std::make_unique<SequenceProcessor>(std::move(steps));
  }
  throw UserError(where + ": unsupported post_processor type \"" + type +
                  "\" (supported: ByteLevel, TemplateProcessing, RobertaProcessing, BertProcessing, Sequence)");
}

}  // namespace dlmeval::tokenizer
