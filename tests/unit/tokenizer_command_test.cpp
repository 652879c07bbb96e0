// `dlmeval tokenize` end to end: the built binary encodes, decodes and renders chats from
// JSON-lines files and reproduces the goldens. Each run starts the LibTorch-linked binary, so the
// runs are few and each covers many records.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

#include "harness/core/json_io.h"
#include "tests/unit/tokenizer_test_util.h"

using dlmeval::Json;
using dlmeval::testing::golden_tokenizer_dir;

namespace {

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr
};

CommandResult run_dlmeval(const std::string& arguments) {
  const std::string command = std::string("'") + DLMEVAL_BINARY + "' tokenize " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string output;
  char buffer[4096];
  size_t read;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, read);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

// Writes `records` (with only the given fields) as JSON lines.
std::string write_input(const std::filesystem::path& dir, const std::string& name, const std::vector<Json>& records,
                        const std::vector<std::string>& fields) {
  const std::string path = (dir / name).string();
  std::string text;
  for (const auto& record : records) {
    Json kept = Json::object();
    for (const auto& field : fields) kept[field] = record[field];
    text += kept.dump() + "\n";
  }
  dlmeval::write_text_file_atomic(path, text);
  return path;
}

class TokenizeCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(DLMEVAL_BINARY)) << "build the dlmeval target first: " << DLMEVAL_BINARY;
    dir_ = dlmeval::testing::fresh_temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  std::filesystem::path dir_;
  const std::string tiny_ = golden_tokenizer_dir() + "tiny";
};

TEST_F(TokenizeCommand, EncodesJsonLines) {
  std::vector<Json> goldens = dlmeval::read_jsonl_file(tiny_ + "/encode.jsonl");
  goldens.resize(300);
  const std::string input = write_input(dir_, "in.jsonl", goldens, {"src", "text"});
  const std::string output = (dir_ / "out.jsonl").string();
  const auto result = run_dlmeval("--tokenizer " + quoted(tiny_) + " --input " + quoted(input) + " --output " + quoted(output));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto records = dlmeval::read_jsonl_file(output);
  ASSERT_EQ(records.size(), goldens.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["ids"], goldens[i]["ids"]) << goldens[i]["src"];
    EXPECT_EQ(records[i]["src"], goldens[i]["src"]);  // other fields are kept
  }
}

// The records decoded with skip_special_tokens=true are the ones holding added tokens.
TEST_F(TokenizeCommand, DecodesJsonLinesSkippingSpecialTokens) {
  std::vector<Json> goldens;
  for (const auto& record : dlmeval::read_jsonl_file(tiny_ + "/decode.jsonl"))
    if (record["skip_special_tokens"].get<bool>()) goldens.push_back(record);
  ASSERT_GT(goldens.size(), 50u);
  const std::string input = write_input(dir_, "in.jsonl", goldens, {"src", "ids"});
  const std::string output = (dir_ / "out.jsonl").string();
  const auto result = run_dlmeval("--tokenizer " + quoted(tiny_) + " --decode --skip-special-tokens --input " +
                                  quoted(input) + " --output " + quoted(output));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto records = dlmeval::read_jsonl_file(output);
  ASSERT_EQ(records.size(), goldens.size());
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i]["text"], goldens[i]["text"]) << goldens[i]["src"];
}

TEST_F(TokenizeCommand, RendersChats) {
  const auto goldens = dlmeval::read_jsonl_file(tiny_ + "/chat.jsonl");
  const std::string input = write_input(dir_, "chat.jsonl", goldens, {"messages", "add_generation_prompt"});
  const std::string output = (dir_ / "out.jsonl").string();
  const auto result =
      run_dlmeval("--tokenizer " + quoted(tiny_) + " --chat --input " + quoted(input) + " --output " + quoted(output));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto records = dlmeval::read_jsonl_file(output);
  ASSERT_EQ(records.size(), goldens.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["text"], goldens[i]["text"]);
    EXPECT_EQ(records[i]["ids"], goldens[i]["ids"]);
  }
}

TEST_F(TokenizeCommand, SingleTextOnTheCommandLine) {
  const auto result = run_dlmeval("--tokenizer " + quoted(tiny_) + " --text 'What is 2+3?<|eot_id|>'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "[54,741,294,220,17,10,18,30,1022]\n");
}

TEST_F(TokenizeCommand, BadInputIsOneClearLine) {
  const std::string input = (dir_ / "bad.jsonl").string();
  dlmeval::write_text_file_atomic(input, "{\"text\": \"fine\"}\n{\"txt\": \"typo\"}\n");
  const auto result = run_dlmeval("--tokenizer " + quoted(tiny_) + " --input " + quoted(input) + " --output " +
                                  quoted((dir_ / "out.jsonl").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find(input + ":2"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("\"text\""), std::string::npos) << result.output;
}

}  // namespace
