#include <gtest/gtest.h>

#include "harness/core/error.h"
#include "results/merge.h"
#include "results/run_dir.h"
#include "results_fixture.h"

using namespace dlmeval;
using namespace dlmeval::testing;

namespace {

// Shard `index` of `count` over 6 docs takes docs i with i % count == index.
void write_shard(const std::string& dir, int index, int count, const std::vector<int>& skip = {},
                 const std::vector<int>& extra = {}, const std::string& model_hash = "model-hash-1") {
  RunManifest m = make_manifest();
  m.model_hash = model_hash;
  m.shard = {index, count};
  m.tasks = {make_task("arc_easy", 6, {"acc"})};
  m.protocols = {make_protocol("p", 8)};
  std::vector<Json> records;
  int assigned = 0;
  for (int i = 0; i < 6; ++i) {
    bool mine = i % count == index;
    assigned += mine;
    bool skipped = std::find(skip.begin(), skip.end(), i) != skip.end();
    bool added = std::find(extra.begin(), extra.end(), i) != extra.end();
    if ((mine && !skipped) || added) {
      Json r = make_sample(std::to_string(i), {{"acc", double(i % 2)}});
      r["doc_index"] = i;
      records.push_back(r);
    }
  }
  m.tasks[0].shard_docs = assigned;
  write_run(dir, m, {{{"arc_easy", "p"}, records}});
}

std::string merge_error(const std::vector<std::string>& shards, const std::string& out) {
  try {
    merge_shards(shards, out);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Merge, CompleteShardsMergeInPlanOrder) {
  TempDir dir("merge_ok");
  write_shard(dir.path("s1"), 1, 2);
  write_shard(dir.path("s0"), 0, 2);
  RunManifest merged = merge_shards({dir.path("s1"), dir.path("s0")}, dir.path("out"));
  EXPECT_EQ(merged.shard, (ShardSpec{0, 1}));
  EXPECT_EQ(merged.tasks[0].shard_docs, 6);
  LoadedRun run = load_run(dir.path("out"));
  ASSERT_EQ(run.evaluations.size(), 1u);
  const auto& records = run.evaluations[0].records;
  ASSERT_EQ(records.size(), 6u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(records[i]["doc_id"], std::to_string(i));
  EXPECT_TRUE(std::filesystem::exists(dir.path("out/summary.json")));
  EXPECT_EQ(merged.extra["merged_from"].size(), 2u);
}

TEST(Merge, MissingShardIsNamed) {
  TempDir dir("merge_missing");
  write_shard(dir.path("s0"), 0, 3);
  write_shard(dir.path("s2"), 2, 3);
  std::string what = merge_error({dir.path("s0"), dir.path("s2")}, dir.path("out"));
  EXPECT_NE(what.find("missing shard(s) 1 of 3"), std::string::npos) << what;
  EXPECT_FALSE(std::filesystem::exists(dir.path("out/manifest.json")));
}

TEST(Merge, IncompleteShardIsNamed) {
  TempDir dir("merge_incomplete");
  write_shard(dir.path("s0"), 0, 2);
  write_shard(dir.path("s1"), 1, 2, /*skip=*/{3});
  std::string what = merge_error({dir.path("s0"), dir.path("s1")}, dir.path("out"));
  EXPECT_NE(what.find("shard 1/2 (" + dir.path("s1") + "): arc_easy / p is incomplete: 2 of 3 docs scored"), std::string::npos)
      << what;
}

TEST(Merge, OverlappingShardsAreRefused) {
  TempDir dir("merge_overlap");
  write_shard(dir.path("s0"), 0, 2, {}, /*extra=*/{1});
  write_shard(dir.path("s1"), 1, 2);
  std::string what = merge_error({dir.path("s0"), dir.path("s1")}, dir.path("out"));
  EXPECT_NE(what.find("doc 1 is in both"), std::string::npos) << what;
}

TEST(Merge, DuplicateShardAndOtherModelAreRefused) {
  TempDir dir("merge_inconsistent");
  write_shard(dir.path("s0"), 0, 2);
  write_shard(dir.path("s0b"), 0, 2);
  write_shard(dir.path("s1"), 1, 2, {}, {}, "another-model");
  std::string what = merge_error({dir.path("s0"), dir.path("s0b"), dir.path("s1")}, dir.path("out"));
  EXPECT_NE(what.find("shard 0/2 given more than once"), std::string::npos) << what;
  EXPECT_NE(what.find("model hash another-model differs"), std::string::npos) << what;
}

TEST(MergeCli, MergesAndRefuses) {
  TempDir dir("merge_cli");
  write_shard(dir.path("s0"), 0, 2);
  write_shard(dir.path("s1"), 1, 2);
  std::string out;
  ASSERT_EQ(run_dlmeval("merge --out " + dir.path("merged") + " " + dir.path("s0") + " " + dir.path("s1"), &out), 0) << out;
  EXPECT_EQ(load_run(dir.path("merged")).evaluations[0].records.size(), 6u);
  EXPECT_EQ(run_dlmeval("merge --out " + dir.path("again") + " " + dir.path("s0"), &out), 2);
  EXPECT_NE(out.find("missing shard(s) 1 of 2"), std::string::npos) << out;
}
