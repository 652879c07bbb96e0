#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/core/error.h"
#include "results/sample_store.h"
#include "results_fixture.h"

using namespace dlmeval;
using dlmeval::testing::TempDir;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void append_raw(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
}

Json record(const std::string& id) { return {{"doc_id", id}, {"metrics", {{"acc", 1}}}}; }

}  // namespace

TEST(SampleStore, ReopenReportsCompletedDocsAndSkipsDuplicates) {
  TempDir dir("store_reopen");
  std::string path = dir.path("run/samples-t-p.jsonl");
  {
    SampleWriter w(path);
    EXPECT_TRUE(w.completed().empty());
    EXPECT_TRUE(w.append(record("a")));
    EXPECT_TRUE(w.append(record("b")));
    EXPECT_FALSE(w.append(record("a")));  // never written twice
  }
  SampleWriter again(path);
  EXPECT_EQ(again.completed(), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(again.recovered_torn_bytes(), 0u);
  EXPECT_TRUE(again.append(record("c")));
  EXPECT_EQ(read_sample_file(path).size(), 3u);
}

TEST(SampleStore, TornLastLineIsTruncatedAndResumeLosesNothing) {
  TempDir dir("store_torn");
  std::string path = dir.path("samples.jsonl");
  {
    SampleWriter w(path);
    w.append(record("0"));
    w.append(record("1"));
  }
  std::string clean = slurp(path);
  const std::string torn = R"({"doc_id":"2","metrics":{"ac)";
  append_raw(path, torn);  // a crash in the middle of writing doc 2

  SampleFileState state = scan_sample_file(path);
  EXPECT_EQ(state.completed_doc_ids, (std::set<std::string>{"0", "1"}));
  EXPECT_EQ(state.torn_bytes, torn.size());
  EXPECT_EQ(read_sample_file(path).size(), 2u);

  {
    SampleWriter w(path);
    EXPECT_EQ(w.recovered_torn_bytes(), torn.size());
    EXPECT_EQ(slurp(path), clean);  // the torn tail is gone, the good lines untouched
    EXPECT_FALSE(w.is_completed("2"));
    EXPECT_TRUE(w.append(record("2")));  // the resumed run redoes doc 2
  }
  auto records = read_sample_file(path);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2]["doc_id"], "2");
  EXPECT_EQ(records[2]["metrics"]["acc"], 1);
}

TEST(SampleStore, MalformedFinalLineWithNewlineCountsAsTorn) {
  TempDir dir("store_garbage");
  std::string path = dir.path("samples.jsonl");
  { SampleWriter(path).append(record("x")); }
  append_raw(path, "{\"doc_id\": \"y\", \"met\n");
  SampleWriter w(path);
  EXPECT_EQ(w.completed(), (std::set<std::string>{"x"}));
  EXPECT_GT(w.recovered_torn_bytes(), 0u);
}

TEST(SampleStore, DamageBeforeTheEndIsAnErrorNamingTheLine) {
  TempDir dir("store_damage");
  std::string path = dir.path("samples.jsonl");
  std::ofstream(path) << record("a").dump() << "\n{oops\n" << record("b").dump() << "\n";
  try {
    scan_sample_file(path);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(SampleWriter w(path), UserError);
}

TEST(SampleStore, DuplicateDocInFileIsAnError) {
  TempDir dir("store_dup");
  std::string path = dir.path("samples.jsonl");
  std::ofstream(path) << record("a").dump() << "\n" << record("a").dump() << "\n";
  EXPECT_THROW(read_sample_file(path), UserError);
}

TEST(SampleStore, SecondWriterIsRefused) {
  TempDir dir("store_lock");
  std::string path = dir.path("samples.jsonl");
  SampleWriter first(path);
  EXPECT_THROW(SampleWriter second(path), UserError);
}

TEST(SampleStore, RecordWithoutDocIdIsRejected) {
  TempDir dir("store_noid");
  SampleWriter w(dir.path("samples.jsonl"));
  EXPECT_THROW(w.append(Json{{"metrics", {}}}), UserError);
  EXPECT_THROW(w.append(Json{{"doc_id", 3}}), UserError);
}
