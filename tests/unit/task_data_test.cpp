// Reading data directories: compressed copies read like the plain files, missing files and bad
// records fail with one clear line, and the data directory is found the documented way.
#include <gtest/gtest.h>

#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/bzip2.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "tasks/task.h"
#include "tasks/toy_tasks.h"
#include "task_test_util.h"

namespace dlmeval {
namespace {

namespace fs = std::filesystem;
using test::ScratchDir;
using test::shipped_options;

void write_compressed(const fs::path& target, const std::string& bytes) {
  fs::create_directories(target.parent_path());
  std::ofstream file(target, std::ios::binary);
  boost::iostreams::filtering_ostream out;
  if (target.extension() == ".gz") {
    out.push(boost::iostreams::gzip_compressor());
  } else {
    out.push(boost::iostreams::bzip2_compressor());
  }
  out.push(file);
  out << bytes;
}

void write_plain(const fs::path& target, const std::string& bytes) {
  fs::create_directories(target.parent_path());
  std::ofstream(target, std::ios::binary) << bytes;
}

std::vector<std::vector<std::string>> first_contexts(const std::string& name, const TaskOptions& options) {
  auto task = make_task(name, options);
  std::vector<std::vector<std::string>> contexts;
  for (const Doc& doc : task->docs()) contexts.push_back(task->build_request(doc).contexts);
  return contexts;
}

// The first `lines` lines of a shipped file, so the copies stay small and quick to compress.
std::string head_lines(const std::string& path, size_t lines) {
  std::istringstream in(read_file_bytes(path));
  std::string out, line;
  for (size_t i = 0; i < lines && std::getline(in, line); ++i) out += line + "\n";
  return out;
}

TEST(TaskData, CompressedCopiesGiveTheSamePrompts) {
  const std::string shipped = test::shipped_data_dir();
  const std::string test_rows = head_lines(shipped + "/gsm8k/test.jsonl", 20);
  const std::string train_rows = head_lines(shipped + "/gsm8k/train.jsonl", 200);
  ScratchDir plain("plain"), packed("packed");
  write_plain(plain.path() / "gsm8k/test.jsonl", test_rows);
  write_plain(plain.path() / "gsm8k/train.jsonl", train_rows);
  write_compressed(packed.path() / "gsm8k/test.jsonl.gz", test_rows);
  write_compressed(packed.path() / "gsm8k/train.jsonl.bz2", train_rows);
  // HumanEval ships gzip-compressed; users who unpack it get a plain .jsonl.
  write_plain(plain.path() / "humaneval/HumanEval.jsonl", read_file_bytes(shipped + "/humaneval/HumanEval.jsonl.gz"));

  TaskOptions from_plain;
  from_plain.data_dir = plain.path().string();
  TaskOptions from_packed = from_plain;
  from_packed.data_dir = packed.path().string();
  const auto expected = first_contexts("gsm8k", from_plain);
  ASSERT_EQ(expected.size(), 20u);
  EXPECT_EQ(first_contexts("gsm8k", from_packed), expected);
  EXPECT_EQ(first_contexts("humaneval", from_plain), first_contexts("humaneval", shipped_options()));

  auto task = make_task("gsm8k", from_packed);
  ASSERT_EQ(task->data_files().size(), 2u);
  EXPECT_EQ(fs::path(task->data_files()[0]).filename(), "test.jsonl.gz");
  EXPECT_EQ(fs::path(task->data_files()[1]).filename(), "train.jsonl.bz2");
}

TEST(TaskData, MissingFileNamesThePathItExpected) {
  ScratchDir dir("missing");
  TaskOptions options;
  options.data_dir = dir.path().string();
  try {
    make_task("arc_easy", options);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("arc_easy"), std::string::npos) << message;
    EXPECT_NE(message.find((dir.path() / "arc/ARC-Easy-Test.jsonl").string()), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(TaskData, MalformedRecordNamesFileAndLine) {
  ScratchDir dir("bad");
  write_plain(dir.path() / "gsm8k/test.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n{\"question\": 3}\n");
  TaskOptions options;
  options.data_dir = dir.path().string();
  options.num_fewshot = 0;
  try {
    make_task("gsm8k_cot", options);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("record 2"), std::string::npos) << e.what();
  }
  write_plain(dir.path() / "gsm8k/test.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n{oops\n");
  try {
    make_task("gsm8k_cot", options);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("test.jsonl:2"), std::string::npos) << e.what();
  }
}

TEST(TaskData, UnknownTaskIsAUserError) {
  EXPECT_THROW(make_task("gsm9k", shipped_options()), UserError);
  EXPECT_THROW(make_task("bbh_not_a_subtask", shipped_options()), UserError);
  EXPECT_THROW(make_task("mmlu_astrology", shipped_options()), UserError);
}

TEST(TaskData, ResolveDataDirPrefersExplicitThenEnvironmentThenSharedData) {
  const char* saved = std::getenv("DLMEVAL_DATA");
  const std::string restore = saved ? saved : "";
  setenv("DLMEVAL_DATA", "/from/env", 1);
  EXPECT_EQ(resolve_data_dir("/explicit"), "/explicit");
  EXPECT_EQ(resolve_data_dir(""), "/from/env");
  unsetenv("DLMEVAL_DATA");
  EXPECT_EQ(resolve_data_dir(""), (fs::current_path() / ".." / "shared" / "data").lexically_normal().string());
  if (saved) setenv("DLMEVAL_DATA", restore.c_str(), 1);
}

TEST(TaskList, EveryListedTaskHasADescriptionAndAUniqueName) {
  std::set<std::string> names;
  for (const auto& [name, description] : list_tasks()) {
    EXPECT_FALSE(description.empty()) << name;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(names.size(), 3u + 1 + 27 + 4 + 1 + 57 + 7 + 4 + toy_task_list().size());
}

}  // namespace
}  // namespace dlmeval
