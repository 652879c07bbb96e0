// Behaviour of the individual tokenizer components that the golden files do not reach
// (the goldens use NFC + Split + ByteLevel only), checked against the reference's documented
// behaviour.
#include <gtest/gtest.h>

#include <thread>

#include "harness/core/error.h"
#include "runners/tokenizer/decoders.h"
#include "runners/tokenizer/normalizers.h"
#include "runners/tokenizer/pre_tokenizers.h"
#include "runners/tokenizer/regex.h"
#include "runners/tokenizer/tokenizer.h"
#include "harness/core/utf8.h"
#include "tests/unit/tokenizer_test_util.h"

using namespace dlmeval;
using namespace dlmeval::tokenizer;
using dlmeval::testing::small_bpe_json;
using dlmeval::testing::write_tokenizer_dir;
using Ids = std::vector<int64_t>;
using Pieces = std::vector<std::string>;

namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

Ids record_ids(const Json& record) { return record["ids"].get<Ids>(); }

TEST(TokenizerUtf8, LossyDecodingMatchesRust) {
  EXPECT_EQ(utf8_lossy("a\xFF" "b"), "a" + kReplacement + "b");
  // A truncated 4-byte sequence is one maximal subpart: one replacement character.
  EXPECT_EQ(utf8_lossy("\xF0\x9F\x98"), kReplacement);
  EXPECT_EQ(utf8_lossy("\xF0\x9F\x98!"), kReplacement + "!");
  // E0 80: 80 cannot follow E0, so each byte is replaced on its own.
  EXPECT_EQ(utf8_lossy("\xE0\x80"), kReplacement + kReplacement);
  // Encoded surrogates are invalid byte by byte.
  EXPECT_EQ(utf8_lossy("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);
  EXPECT_EQ(utf8_lossy("\xC3\xA9\xE2\x82\xAC"), "\xC3\xA9\xE2\x82\xAC");
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
}

TEST(TokenizerRegex, WhiteSpaceIsUnicodeWhiteSpaceProperty) {
  const Regex space(R"(\s)", false, "test");
  for (const char* white : {"\t", "\x0B", "\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\x8A", "\xE2\x80\xA8",
                            "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"})
    EXPECT_EQ(space.find_all(white).size(), 1u) << Json(white).dump();
  for (const char* not_white : {"\xE1\xA0\x8E", "\xE2\x80\x8B", "\xEF\xBB\xBF", "\x1C", "\x1F"})
    EXPECT_TRUE(space.find_all(not_white).empty()) << Json(not_white).dump();
  // Inside a class, and negated.
  const Regex not_space_or_digit(R"([^\s\p{N}]+)", false, "test");
  EXPECT_EQ(not_space_or_digit.find_all("ab\xE2\x80\x8B" "1 c"),
            (std::vector<MatchRange>{{0, 5}, {7, 8}}));
  const Regex trailing(R"(\s+(?!\S))", false, "test");
  EXPECT_EQ(trailing.find_all("a   b"), (std::vector<MatchRange>{{1, 3}}));
}

TEST(TokenizerRegex, CaseInsensitiveContractionsFoldUnicode) {
  const Regex contraction(R"((?i:'s|'t|'re|'ve|'m|'ll|'d))", false, "test");
  EXPECT_EQ(contraction.find_all("it'\xC5\xBF").size(), 1u);  // U+017F long s folds to s
  EXPECT_EQ(contraction.find_all("WE'LL").size(), 1u);
  EXPECT_EQ(contraction.find_all("x'\xE2\x84\xAA").size(), 0u);  // Kelvin sign is not a contraction
}

TEST(TokenizerRegex, Llama3PatternGroupsDigitsByThree) {
  const auto pre = make_pre_tokenizer(
      {{"type", "Split"},
       {"pattern",
        {{"Regex",
          R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}}},
       {"behavior", "Isolated"},
       {"invert", false}},
      "test");
  Pieces pieces{"I'M 12345  ok\n"};
  pre->pre_tokenize(pieces);
  EXPECT_EQ(pieces, (Pieces{"I", "'M", " ", "123", "45", " ", " ok", "\n"}));
}

Pieces split_with(const std::string& behavior, const std::string& text) {
  const auto pre = make_pre_tokenizer(
      {{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", behavior}, {"invert", false}}, "test");
  Pieces pieces{text};
  pre->pre_tokenize(pieces);
  return pieces;
}

TEST(TokenizerPreTokenizers, SplitBehaviors) {
  const std::string text = "the-final--countdown";
  EXPECT_EQ(split_with("Removed", text), (Pieces{"the", "final", "countdown"}));
  EXPECT_EQ(split_with("Isolated", text), (Pieces{"the", "-", "final", "-", "-", "countdown"}));
  EXPECT_EQ(split_with("MergedWithPrevious", text), (Pieces{"the-", "final-", "-", "countdown"}));
  EXPECT_EQ(split_with("MergedWithNext", text), (Pieces{"the", "-final", "-", "-countdown"}));
  EXPECT_EQ(split_with("Contiguous", text), (Pieces{"the", "-", "final", "--", "countdown"}));
}

TEST(TokenizerPreTokenizers, SplitInvertKeepsMatches) {
  const auto pre = make_pre_tokenizer(
      {{"type", "Split"}, {"pattern", {{"Regex", "\\p{L}+"}}}, {"behavior", "Removed"}, {"invert", true}}, "test");
  Pieces pieces{"ab, cd!"};
  pre->pre_tokenize(pieces);
  EXPECT_EQ(pieces, (Pieces{"ab", "cd"}));
}

TEST(TokenizerPreTokenizers, DigitsAndByteLevel) {
  Pieces pieces{"a1234b\xD9\xA3"};
  make_pre_tokenizer({{"type", "Digits"}, {"individual_digits", true}}, "test")->pre_tokenize(pieces);
  EXPECT_EQ(pieces, (Pieces{"a", "1", "2", "3", "4", "b", "\xD9\xA3"}));
  pieces = {"a1234b"};
  make_pre_tokenizer({{"type", "Digits"}, {"individual_digits", false}}, "test")->pre_tokenize(pieces);
  EXPECT_EQ(pieces, (Pieces{"a", "1234", "b"}));

  // GPT-2 style: prefix space, its own regex, bytes shown in the byte-level alphabet.
  pieces = {"Hello world's\n"};
  make_pre_tokenizer({{"type", "ByteLevel"}, {"add_prefix_space", true}, {"use_regex", true}}, "test")
      ->pre_tokenize(pieces);
  EXPECT_EQ(pieces, (Pieces{"\xC4\xA0Hello", "\xC4\xA0world", "'s", "\xC4\x8A"}));
}

std::string normalized(const Json& spec, std::string text) {
  make_normalizer(spec, "test")->normalize(text);
  return text;
}

TEST(TokenizerNormalizers, EachKind) {
  EXPECT_EQ(normalized({{"type", "NFC"}}, "e\xCC\x81"), "\xC3\xA9");
  EXPECT_EQ(normalized({{"type", "NFKC"}}, "\xEF\xAC\x81 \xE2\x91\xA0"), "fi 1");  // ligature fi, circled 1
  EXPECT_EQ(normalized({{"type", "Lowercase"}}, "\xC3\x80" "BC \xCE\xA3"), "\xC3\xA0" "bc \xCF\x83");
  EXPECT_EQ(normalized({{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xE2\x96\x81"}}, "a b  c"),
            "a\xE2\x96\x81" "b\xE2\x96\x81\xE2\x96\x81" "c");
  EXPECT_EQ(normalized({{"type", "Replace"}, {"pattern", {{"Regex", "\\s+"}}}, {"content", " "}}, "a \t\n b"), "a b");
  EXPECT_EQ(normalized({{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}}, "hi"), "\xE2\x96\x81hi");
  EXPECT_EQ(normalized({{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}}, ""), "");
  const Json sequence = Json::parse(R"({"type": "Sequence", "normalizers": [
      {"type": "Prepend", "prepend": "_"}, {"type": "Replace", "pattern": {"String": " "}, "content": "_"},
      {"type": "Lowercase"}]})");
  EXPECT_EQ(normalized(sequence, "Hello World"), "_hello_world");
}

std::string decoded(const Json& spec, Pieces tokens) {
  make_decoder(spec, "test")->decode_chain(tokens);
  std::string out;
  for (const auto& token : tokens) out += token;
  return out;
}

TEST(TokenizerDecoders, LlamaStyleChain) {
  // The SentencePiece-style chain of Llama 2 / Mistral tokenizers.
  const Json chain = Json::parse(R"({"type": "Sequence", "decoders": [
      {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
      {"type": "ByteFallback"}, {"type": "Fuse"},
      {"type": "Strip", "content": " ", "start": 1, "stop": 0}]})");
  EXPECT_EQ(decoded(chain, {"\xE2\x96\x81Hello", "<0xE2>", "<0x82>", "<0xAC>", "\xE2\x96\x81x"}), "Hello\xE2\x82\xAC x");
  // A byte run that is not valid UTF-8 gives one replacement character per byte.
  EXPECT_EQ(decoded({{"type", "ByteFallback"}}, {"<0xE2>", "<0x82>", "a"}), kReplacement + kReplacement + "a");
  // Strip removes at most `start` leading and `stop` trailing copies from each token.
  EXPECT_EQ(decoded({{"type", "Strip"}, {"content", "x"}, {"start", 2}, {"stop", 1}}, {"xxxaxx", "bx"}), "xaxb");
  EXPECT_EQ(decoded({{"type", "ByteLevel"}}, {"\xC4\xA0hi", "<|a b|>", "\xC3\xA2\xC4\xA2"}),
            " hi<|a b|>" + kReplacement);
}

TEST(TokenizerModel, MergesByRankAndLegacyStringForm) {
  Json json = small_bpe_json();
  EXPECT_EQ(Tokenizer::load(write_tokenizer_dir("bpe_pairs", json)).encode("abcbc"), (Ids{5, 6}));
  json["model"]["merges"] = Json::array({"a b", "ab c", "b c"});
  EXPECT_EQ(Tokenizer::load(write_tokenizer_dir("bpe_strings", json)).encode("abcbc"), (Ids{5, 6}));
  // Rank decides, not position: with "b c" first, "abc" becomes a + bc.
  json["model"]["merges"] = Json::array({"b c", "a b", "ab c"});
  EXPECT_EQ(Tokenizer::load(write_tokenizer_dir("bpe_rank", json)).encode("abc"), (Ids{0, 6}));
}

TEST(TokenizerModel, UnknownByteFallbackAndIgnoreMerges) {
  Json json = small_bpe_json();
  // Without unk_token an unknown character is dropped, as the reference does, and its
  // neighbours may then merge.
  const Tokenizer dropping = Tokenizer::load(write_tokenizer_dir("bpe_drop", json));
  EXPECT_EQ(dropping.encode("azc"), (Ids{0, 2}));
  EXPECT_EQ(dropping.encode("azb"), (Ids{4}));
  json["model"]["vocab"]["<unk>"] = 7;
  json["model"]["unk_token"] = "<unk>";
  EXPECT_EQ(Tokenizer::load(write_tokenizer_dir("bpe_unk", json)).encode("azzb"), (Ids{0, 7, 7, 1}));
  json["model"]["fuse_unk"] = true;
  EXPECT_EQ(Tokenizer::load(write_tokenizer_dir("bpe_fuse", json)).encode("azzb"), (Ids{0, 7, 1}));
  json["model"]["byte_fallback"] = true;
  json["model"]["vocab"]["<0xC3>"] = 8;
  json["model"]["vocab"]["<0xA9>"] = 9;
  const Tokenizer fallback = Tokenizer::load(write_tokenizer_dir("bpe_fallback", json));
  EXPECT_EQ(fallback.encode("a\xC3\xA9z"), (Ids{0, 8, 9, 7}));  // é has byte tokens, z has not

  // ignore_merges: a word that is itself in the vocabulary is one token, merges or not.
  json = small_bpe_json();
  json["model"]["vocab"]["ca"] = 10;
  EXPECT_EQ(Tokenizer::load(write_tokenizer_dir("bpe_merges", json)).encode("ca"), (Ids{2, 0}));
  json["model"]["ignore_merges"] = true;
  const Tokenizer ignoring = Tokenizer::load(write_tokenizer_dir("bpe_ignore", json));
  EXPECT_EQ(ignoring.encode("ca"), (Ids{10}));
  EXPECT_EQ(ignoring.encode("cab"), (Ids{2, 4}));
}

TEST(TokenizerModel, ContinuingSubwordPrefix) {
  Json json = small_bpe_json();
  json["model"]["continuing_subword_prefix"] = "##";
  json["model"]["vocab"] = {{"a", 0}, {"##b", 1}, {"##c", 2}, {"ab", 3}, {"ab##c", 4}};
  json["model"]["merges"] = Json::array({"a ##b"});
  EXPECT_EQ(Tokenizer::load(write_tokenizer_dir("bpe_prefix", json)).encode("abc"), (Ids{3, 2}));
}

Json with_added(std::initializer_list<Json> tokens) {
  Json json = small_bpe_json();
  json["added_tokens"] = Json::array();
  for (const auto& token : tokens) json["added_tokens"].push_back(token);
  return json;
}

Json added_token(int id, const std::string& content, bool special, bool lstrip = false, bool rstrip = false,
                 bool single_word = false, bool normalized = false) {
  return {{"id", id},           {"content", content}, {"special", special},      {"lstrip", lstrip},
          {"rstrip", rstrip},   {"single_word", single_word}, {"normalized", normalized}};
}

TEST(TokenizerAddedTokens, StripAndSingleWord) {
  const Tokenizer strip = Tokenizer::load(
      write_tokenizer_dir("added_strip", with_added({added_token(20, "<m>", true, true, true)})));
  EXPECT_EQ(strip.encode("a  <m>  b"), (Ids{0, 20, 1}));
  const Tokenizer plain = Tokenizer::load(write_tokenizer_dir("added_plain", with_added({added_token(20, "<m>", true)})));
  EXPECT_EQ(plain.encode("a <m> b"), (Ids{0, 3, 20, 3, 1}));

  const Tokenizer word = Tokenizer::load(
      write_tokenizer_dir("added_word", with_added({added_token(21, "ab", false, false, false, true)})));
  EXPECT_EQ(word.encode("ab c"), (Ids{21, 3, 2}));
  EXPECT_EQ(word.encode("abc"), (Ids{5}));  // inside a word: not the added token
  // Leftmost-longest: "abc" wins over "ab" at the same position.
  const Tokenizer longest = Tokenizer::load(write_tokenizer_dir(
      "added_longest", with_added({added_token(21, "ab", false), added_token(22, "abc", false)})));
  EXPECT_EQ(longest.encode("cabcab"), (Ids{2, 22, 21}));
}

TEST(TokenizerAddedTokens, NormalizedTokensMatchNormalizedText) {
  Json json = with_added({added_token(23, "ab", false, false, false, false, true)});
  json["normalizer"] = {{"type", "Lowercase"}};
  const Tokenizer tokenizer = Tokenizer::load(write_tokenizer_dir("added_normalized", json));
  EXPECT_EQ(tokenizer.encode("cAB"), (Ids{2, 23}));
  EXPECT_FALSE(tokenizer.is_special(23));
  EXPECT_EQ(tokenizer.decode({2, 23}, true), "c ab");  // no decoder: tokens joined by spaces
}

TEST(TokenizerPostProcessor, TemplateAddsBos) {
  Json json = with_added({added_token(30, "<s>", true)});
  json["post_processor"] = Json::parse(R"({"type": "TemplateProcessing",
      "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
      "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [30], "tokens": ["<s>"]}}})");
  const Tokenizer tokenizer = Tokenizer::load(write_tokenizer_dir("template", json));
  EXPECT_EQ(tokenizer.encode("ab", true), (Ids{30, 4}));
  EXPECT_EQ(tokenizer.encode("ab", false), (Ids{4}));
}

TEST(TokenizerApi, SpecialTokensAndSizes) {
  const std::string dir = dlmeval::testing::golden_tokenizer_dir();
  const Tokenizer tiny = Tokenizer::load(dir + "tiny");
  EXPECT_EQ(tiny.bos_token(), "<|startoftext|>");
  EXPECT_EQ(tiny.eos_token(), "<|endoftext|>");
  EXPECT_EQ(tiny.pad_token(), "<|endoftext|>");
  EXPECT_EQ(tiny.token_to_id("<|mdm_mask|>"), 1023);
  EXPECT_EQ(tiny.token_to_id("\xC4\xA0"), 220);
  EXPECT_EQ(tiny.token_to_id("no such token"), std::nullopt);
  EXPECT_TRUE(tiny.is_special(1019));
  EXPECT_FALSE(tiny.is_special(64));
  EXPECT_EQ(tiny.vocab_size(), 1024);
  EXPECT_EQ(tiny.id_to_token(1020), "<|start_header_id|>");

  const Tokenizer tokenizer_file_only = Tokenizer::load(dir + "tiny/variants/tokenizer.merges_as_strings.json");
  EXPECT_EQ(tokenizer_file_only.bos_token(), std::nullopt);
  EXPECT_EQ(tokenizer_file_only.vocab_size(), 1024);

  // Copies share state and give the same results.
  const Tokenizer copy = tiny;
  EXPECT_EQ(copy.encode("Hello <|eot_id|>"), tiny.encode("Hello <|eot_id|>"));
}

const Tokenizer& qwen3() { return dlmeval::testing::golden_tokenizer("qwen3"); }

TEST(TokenizerApi, Qwen3SpecialTokens) {
  EXPECT_EQ(qwen3().bos_token(), std::nullopt);
  EXPECT_EQ(qwen3().eos_token(), "<|im_end|>");
  EXPECT_EQ(qwen3().pad_token(), "<|endoftext|>");
  EXPECT_EQ(qwen3().vocab_size(), 151669);
  EXPECT_TRUE(qwen3().is_special(151645));
  EXPECT_FALSE(qwen3().is_special(151667));  // <think> is an added, non-special token
  EXPECT_EQ(qwen3().decode({151667, 40, 151645}, true), "<think>I");
}

// The word cache and the per-thread regex state are shared by threads encoding at once.
TEST(TokenizerApi, ConcurrentEncodingGivesTheSameIds) {
  const auto records = read_jsonl_file(dlmeval::testing::golden_tokenizer_dir() + "tiny/encode.jsonl");
  const Tokenizer tokenizer = Tokenizer::load(dlmeval::testing::golden_tokenizer_dir() + "tiny");
  std::vector<std::vector<Ids>> results(3);
  std::vector<std::thread> threads;
  for (auto& result : results)
    threads.emplace_back([&] {
      for (const auto& record : records) result.push_back(tokenizer.encode(record["text"].get<std::string>()));
    });
  for (auto& thread : threads) thread.join();
  for (size_t i = 0; i < records.size(); ++i)
    for (const auto& result : results) ASSERT_EQ(result[i], record_ids(records[i])) << records[i]["src"];
}

// Expected strings follow Qwen3's Jinja template (qwen3/tokenizer_config.json) by hand.
TEST(TokenizerChat, Qwen3Template) {
  const Json conversation = Json::parse(R"([
      {"role": "system", "content": "Be brief."},
      {"role": "user", "content": "2+2?"},
      {"role": "assistant", "content": "<think>\nadd\n</think>\n\n4"},
      {"role": "user", "content": "3+3?"}])");
  const std::string history =
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
      "<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\n3+3?<|im_end|>\n";
  EXPECT_EQ(qwen3().apply_chat_template(conversation, false), history);
  EXPECT_EQ(qwen3().apply_chat_template(conversation, true), history + "<|im_start|>assistant\n");

  // An assistant turn after the last query keeps its reasoning block; a plain one gets an empty one.
  const Json answered = Json::parse(R"([
      {"role": "user", "content": "hi"},
      {"role": "assistant", "content": "<think>\n\nponder\n\n</think>\n\nhello"}])");
  EXPECT_EQ(qwen3().apply_chat_template(answered, false),
            "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\nponder\n</think>\n\nhello<|im_end|>\n");
  const Json plain = Json::parse(R"([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}])");
  EXPECT_EQ(qwen3().apply_chat_template(plain, false),
            "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nyo<|im_end|>\n");
  // The rendered text encodes its markers as single tokens.
  const auto ids = qwen3().encode(qwen3().apply_chat_template(plain, true));
  EXPECT_EQ(ids.front(), 151644);
  EXPECT_EQ(ids.back(), 198);
}

TEST(TokenizerChat, RecognisedFamiliesAndNames) {
  const Json messages = Json::parse(R"([{"role": "user", "content": " hi "}])");
  // Qwen2 / Dream style: ChatML with a default system message.
  const Json qwen2_config = {
      {"chat_template",
       "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou "
       "are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + "
       "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ "
       "'<|im_start|>assistant\\n' }}{% endif %}"}};
  const Tokenizer qwen2 = Tokenizer::load(write_tokenizer_dir("chat_qwen2", small_bpe_json(), qwen2_config));
  EXPECT_EQ(qwen2.apply_chat_template(messages, true),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n hi <|im_end|>\n"
            "<|im_start|>assistant\n");
  // LLaDA's own template appends the assistant header unconditionally.
  const Json llada_config = {
      {"bos_token", "<s>"},
      {"chat_template",
       "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
       "message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 "
       "%}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{{ "
       "'<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"}};
  const Tokenizer llada = Tokenizer::load(write_tokenizer_dir("chat_llada", small_bpe_json(), llada_config));
  const std::string header = "<s><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>";
  EXPECT_EQ(llada.apply_chat_template(messages, false), header + "<|start_header_id|>assistant<|end_header_id|>\n\n");
  // A name overrides the configured template.
  const Tokenizer named =
      Tokenizer::load(write_tokenizer_dir("chat_named", small_bpe_json(), llada_config), TokenizerOptions{"chatml"});
  EXPECT_EQ(named.apply_chat_template(messages, false), "<|im_start|>user\n hi <|im_end|>\n");
}

}  // namespace
