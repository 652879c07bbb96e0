// Byte-exact agreement with the reference `tokenizers` library on the published goldens
// (encode, decode, chat) for the tiny tokenizer, its legacy-merges variant and Qwen3.
#include <gtest/gtest.h>

#include <sstream>

#include "harness/core/json_io.h"
#include "runners/tokenizer/tokenizer.h"
#include "tests/unit/tokenizer_test_util.h"

using dlmeval::Json;
using dlmeval::Tokenizer;

namespace {

const std::string kGoldenDir = std::string(DLMEVAL_SHARED_DIR) + "/golden/tokenizers/";

const Tokenizer& cached_tokenizer(const std::string& relative_path) {
  return dlmeval::testing::golden_tokenizer(relative_path);
}

std::string show_ids(const std::vector<int64_t>& ids) {
  const size_t shown = std::min<size_t>(ids.size(), 40);
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shown; ++i) out << (i ? "," : "") << ids[i];
  if (shown < ids.size()) out << ",... (" << ids.size() << " ids)";
  out << "]";
  return out.str();
}

// Collects mismatches so that one failure message lists them all (first few in full).
struct MismatchReport {
  size_t checked = 0;
  size_t mismatched = 0;
  std::ostringstream details;
  void add(const std::string& line) {
    if (++mismatched <= 12) details << "\n  " << line;
  }
  std::string summary() const {
    return std::to_string(mismatched) + " of " + std::to_string(checked) + " records differ:" + details.str();
  }
};

void check_encode_goldens(const Tokenizer& tokenizer, const std::string& golden_file) {
  MismatchReport report;
  for (const Json& record : dlmeval::read_jsonl_file(kGoldenDir + golden_file)) {
    ++report.checked;
    const auto expected = record["ids"].get<std::vector<int64_t>>();
    const auto actual = tokenizer.encode(record["text"].get<std::string>());
    if (actual != expected)
      report.add(record["src"].get<std::string>() + ": expected " + show_ids(expected) + " got " + show_ids(actual));
  }
  EXPECT_EQ(report.checked, 1559u);
  EXPECT_EQ(report.mismatched, 0u) << report.summary();
}

void check_decode_goldens(const Tokenizer& tokenizer, const std::string& golden_file) {
  MismatchReport report;
  for (const Json& record : dlmeval::read_jsonl_file(kGoldenDir + golden_file)) {
    ++report.checked;
    const auto ids = record["ids"].get<std::vector<int64_t>>();
    const bool skip = record["skip_special_tokens"].get<bool>();
    const std::string expected = record["text"].get<std::string>();
    const std::string actual = tokenizer.decode(ids, skip);
    if (actual != expected)
      report.add(record["src"].get<std::string>() + " (skip=" + (skip ? "true" : "false") + ", ids " + show_ids(ids) +
                 "): expected " + Json(expected).dump() + " got " + Json(actual).dump(-1, ' ', false, Json::error_handler_t::replace));
  }
  EXPECT_GT(report.checked, 900u);
  EXPECT_EQ(report.mismatched, 0u) << report.summary();
}

TEST(TokenizerGolden, TinyEncode) { check_encode_goldens(cached_tokenizer("tiny"), "tiny/encode.jsonl"); }

TEST(TokenizerGolden, TinyMergesAsStringsEncode) {
  check_encode_goldens(cached_tokenizer("tiny/variants/tokenizer.merges_as_strings.json"), "tiny/encode.jsonl");
}

TEST(TokenizerGolden, Qwen3Encode) { check_encode_goldens(cached_tokenizer("qwen3"), "qwen3/encode.jsonl"); }

TEST(TokenizerGolden, TinyDecode) { check_decode_goldens(cached_tokenizer("tiny"), "tiny/decode.jsonl"); }

TEST(TokenizerGolden, TinyMergesAsStringsDecode) {
  check_decode_goldens(cached_tokenizer("tiny/variants/tokenizer.merges_as_strings.json"), "tiny/decode.jsonl");
}

TEST(TokenizerGolden, Qwen3Decode) { check_decode_goldens(cached_tokenizer("qwen3"), "qwen3/decode.jsonl"); }

TEST(TokenizerGolden, TinyChatTemplate) {
  const Tokenizer& tokenizer = cached_tokenizer("tiny");
  size_t checked = 0;
  for (const Json& record : dlmeval::read_jsonl_file(kGoldenDir + "tiny/chat.jsonl")) {
    ++checked;
    const std::string text = tokenizer.apply_chat_template(record["messages"], record["add_generation_prompt"]);
    EXPECT_EQ(text, record["text"].get<std::string>()) << record["messages"].dump();
    EXPECT_EQ(tokenizer.encode(text), record["ids"].get<std::vector<int64_t>>()) << record["messages"].dump();
  }
  EXPECT_EQ(checked, 10u);
}

// The round-trip property of the README (note 8): decoding an encoding gives the text back,
// except where NFC changed it.
TEST(TokenizerGolden, Qwen3RoundTripKeepsNfcText) {
  const Tokenizer& tokenizer = cached_tokenizer("qwen3");
  size_t identical = 0, total = 0;
  for (const Json& record : dlmeval::read_jsonl_file(kGoldenDir + "qwen3/encode.jsonl")) {
    ++total;
    const std::string text = record["text"].get<std::string>();
    if (tokenizer.decode(tokenizer.encode(text)) == text) ++identical;
  }
  EXPECT_EQ(total - identical, 37u);
}

}  // namespace
