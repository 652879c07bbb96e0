// Malformed or unsupported tokenizer files and inputs give one clear UserError naming the
// problem, never a crash or a silent fallback.
#include <gtest/gtest.h>

#include <fstream>

#include "harness/core/error.h"
#include "runners/tokenizer/tokenizer.h"
#include "tests/unit/tokenizer_test_util.h"

using namespace dlmeval;
using dlmeval::testing::golden_tokenizer_dir;
using dlmeval::testing::small_bpe_json;
using dlmeval::testing::write_tokenizer_dir;

namespace {

// Loads `path` and returns the UserError message (empty when loading succeeded).
std::string load_error(const std::string& path) {
  try {
    Tokenizer::load(path);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

void expect_load_error(const std::string& name, const Json& tokenizer_json, const std::vector<std::string>& parts) {
  const std::string message = load_error(write_tokenizer_dir(name, tokenizer_json));
  ASSERT_FALSE(message.empty()) << name << ": loading succeeded";
  EXPECT_NE(message.find("tokenizer.json"), std::string::npos) << message;
  for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << "missing '" << part << "' in: " << message;
}

const Json& tiny_json() {
  static const Json json = read_json_file(golden_tokenizer_dir() + "tiny/tokenizer.json");
  return json;
}

TEST(TokenizerErrors, MissingModel) {
  Json json = tiny_json();
  json.erase("model");
  expect_load_error("missing_model", json, {"missing \"model\""});
}

TEST(TokenizerErrors, UnknownComponentsAreNamed) {
  Json json = tiny_json();
  json["normalizer"] = {{"type", "BertNormalizer"}};
  expect_load_error("unknown_normalizer", json, {"normalizer", "BertNormalizer"});

  json = tiny_json();
  json["pre_tokenizer"]["pretokenizers"][1] = {{"type", "Metaspace"}};
  expect_load_error("unknown_pre_tokenizer", json, {"pretokenizers[1]", "Metaspace"});

  json = tiny_json();
  json["decoder"] = {{"type", "WordPiece"}};
  expect_load_error("unknown_decoder", json, {"decoder", "WordPiece"});

  json = tiny_json();
  json["post_processor"] = {{"type", "Mystery"}};
  expect_load_error("unknown_post_processor", json, {"post_processor", "Mystery"});

  json = tiny_json();
  json["model"]["type"] = "Unigram";
  expect_load_error("unknown_model", json, {"model", "Unigram"});

  json = tiny_json();
  json["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "Sideways";
  expect_load_error("unknown_behavior", json, {"Sideways"});
}

TEST(TokenizerErrors, MergeNamingUnknownToken) {
  Json json = tiny_json();
  json["model"]["merges"][5] = Json::array({"Ġ", "zzz_not_a_token"});
  expect_load_error("merge_unknown_token", json, {"merges[5]", "zzz_not_a_token"});

  json = small_bpe_json();
  json["model"]["merges"] = Json::array({"a b", "c a"});  // "ca" is not in the vocabulary
  expect_load_error("merge_unknown_result", json, {"merges[1]", "\"ca\""});

  json = small_bpe_json();
  json["model"]["merges"] = Json::array({"a b c"});
  expect_load_error("merge_three_parts", json, {"merges[0]", "one space"});
}

TEST(TokenizerErrors, BadRegex) {
  Json json = tiny_json();
  json["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(unclosed";
  expect_load_error("bad_regex", json, {"does not compile", "(unclosed"});
}

TEST(TokenizerErrors, BadJsonAndMissingFile) {
  const auto dir = dlmeval::testing::fresh_temp_dir("bad_json");
  std::ofstream((dir / "tokenizer.json").string()) << "{\"model\": {\"type\": \"BPE\", \"vocab\": {";
  const std::string message = load_error(dir.string());
  EXPECT_NE(message.find("malformed JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("tokenizer.json"), std::string::npos) << message;

  const std::string missing = load_error((dir / "nowhere").string());
  EXPECT_NE(missing.find("no such tokenizer file"), std::string::npos) << missing;
}

TEST(TokenizerErrors, InvalidUtf8TextIsRejected) {
  const Tokenizer tokenizer = Tokenizer::load(write_tokenizer_dir("utf8", small_bpe_json()));
  EXPECT_THROW(tokenizer.encode("ab\xC3"), UserError);
  EXPECT_THROW(tokenizer.encode("\xED\xA0\x80"), UserError);  // encoded surrogate
}

TEST(TokenizerErrors, ChatTemplateProblemsSayHowToChooseOne) {
  const Json messages = Json::parse(R"([{"role": "user", "content": "hi"}])");
  // No tokenizer_config.json at all.
  const Tokenizer bare = Tokenizer::load(write_tokenizer_dir("no_config", small_bpe_json()));
  try {
    bare.apply_chat_template(messages, true);
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("--chat-template"), std::string::npos) << e.what();
  }
  // A template that is not one of the built-in ones runs on the Jinja engine.
  const Json config = {{"chat_template", "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}"
                                         "{% if add_generation_prompt %}<assistant>{% endif %}"}};
  const Tokenizer odd = Tokenizer::load(write_tokenizer_dir("odd_template", small_bpe_json(), config));
  EXPECT_EQ(odd.apply_chat_template(messages, true), "<user>hi<assistant>");
  EXPECT_EQ(odd.apply_chat_template(messages, false), "<user>hi");
  // One that does not parse loads (the tokenizer works without chat) and says why when asked.
  const Json broken = {{"chat_template", "{% for m in messages %}{{ m.content }}"}};
  const Tokenizer unusable = Tokenizer::load(write_tokenizer_dir("broken_template", small_bpe_json(), broken));
  try {
    unusable.apply_chat_template(messages, true);
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("chat_template"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--chat-template"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
  EXPECT_THROW(Tokenizer::load(write_tokenizer_dir("bad_name", small_bpe_json()), TokenizerOptions{"jinja2"}),
               UserError);
  // Messages of the wrong shape.
  const Tokenizer chosen = Tokenizer::load(write_tokenizer_dir("chosen", small_bpe_json()), TokenizerOptions{"chatml"});
  try {
    chosen.apply_chat_template(Json::parse(R"([{"role": "user", "content": "hi"}, {"role": "user"}])"), true);
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("chat message 1"), std::string::npos) << e.what();
  }
}

}  // namespace

// Found by fuzz_tokenizer_json (tests/fuzz/regressions/fuzz_tokenizer_json/vocab-id-near-int32-max):
// one id near 2^31 made the dense id table allocate about 64 GB.
TEST(TokenizerErrors, VocabularyIdFarBeyondItsSizeIsRefused) {
  Json spec = small_bpe_json();
  spec["model"]["vocab"]["zz"] = 2000000000;
  try {
    Tokenizer::load(write_tokenizer_dir("huge_id", spec));
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("token id 2000000000 is far beyond"), std::string::npos) << e.what();
  }
}
