#include <gtest/gtest.h>

#include <filesystem>

#include "harness/core/error.h"
#include "harness/core/hash.h"
#include "harness/core/json_io.h"
#include "harness/core/protocol.h"

using namespace dlmeval;

TEST(Hash, Sha256KnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Protocol, FingerprintIgnoresKeyOrderAndName) {
  Protocol a = Protocol::from_json(Json::parse(R"({"name":"x","steps":8,"gen_length":16})"));
  Protocol b = Protocol::from_json(Json::parse(R"({"gen_length":16,"steps":8,"name":"y"})"));
  Protocol c = Protocol::from_json(Json::parse(R"({"gen_length":16,"steps":9})"));
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  EXPECT_NE(a.fingerprint(), c.fingerprint());
  EXPECT_EQ(a.name, "x");
}

TEST(JsonIo, MalformedLineNamesFileAndLine) {
  auto path = (std::filesystem::temp_directory_path() / "dlmeval_core_test.jsonl").string();
  write_text_file_atomic(path, "{\"a\":1}\n\n{bad\n");
  try {
    read_jsonl_file(path);
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":3"), std::string::npos) << e.what();
  }
}

// Found by fuzzing (tests/fuzz/regressions/*/json-number-overflow-*): a number too large for a
// double is nlohmann's out_of_range, not a parse_error, and escaped as an internal error.
TEST(JsonIo, NumberTooLargeForADoubleIsAUserError) {
  auto path = (std::filesystem::temp_directory_path() / "dlmeval_core_overflow.json").string();
  write_text_file_atomic(path, "{\"a\": 888888e888888888888}\n");
  EXPECT_THROW(read_json_file(path), UserError);
  EXPECT_THROW(read_jsonl_file(path), UserError);
  std::filesystem::remove(path);
}
