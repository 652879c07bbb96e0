#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "harness/core/error.h"
#include "harness/core/model_cost.h"
#include "results/aggregate.h"
#include "results_fixture.h"

using namespace dlmeval;
using namespace dlmeval::testing;

TEST(Aggregate, MeansStderrAndCountsPerTaskAndProtocol) {
  TempDir dir("aggregate");
  RunManifest m = make_manifest();
  m.tasks = {make_task("gsm8k", 40, {"exact_match", "flexible_match"})};
  m.protocols = {make_protocol("p64", 64), make_protocol("p32", 32)};
  std::vector<Json> fast, slow;
  for (int i = 0; i < 40; ++i) {
    std::string id = std::to_string(i);
    slow.push_back(make_sample(id, {{"exact_match", i < 30 ? 1.0 : 0.0}, {"flexible_match", i < 32 ? 1.0 : 0.0}, {"zz_len", double(i)}}));
    Json f = make_sample(id, {{"exact_match", i % 2 == 0 ? 1.0 : 0.0}, {"flexible_match", 1.0}});
    f["forward_passes"] = 32;
    fast.push_back(f);
  }
  write_run(dir.path(), m, {{{"gsm8k", "p64"}, slow}, {{"gsm8k", "p32"}, fast}});

  RunSummary summary = write_summary(dir.path());
  ASSERT_EQ(summary.evaluations.size(), 2u);
  const EvaluationSummary* s64 = nullptr;
  for (const auto& e : summary.evaluations)
    if (e.protocol == "p64") s64 = &e;
  ASSERT_NE(s64, nullptr);
  ASSERT_EQ(s64->metrics.size(), 3u);
  // The task's declared order first, then the rest.
  EXPECT_EQ(s64->metrics[0].name, "exact_match");
  EXPECT_EQ(s64->metrics[1].name, "flexible_match");
  EXPECT_EQ(s64->metrics[2].name, "zz_len");
  EXPECT_DOUBLE_EQ(s64->metrics[0].value, 0.75);
  EXPECT_DOUBLE_EQ(s64->metrics[1].value, 0.80);
  EXPECT_DOUBLE_EQ(s64->metrics[2].value, 19.5);
  EXPECT_EQ(s64->metrics[0].n, 40);
  EXPECT_TRUE(s64->metrics[0].binary);
  EXPECT_FALSE(s64->metrics[2].binary);
  // The bootstrap standard error approaches sqrt(p (1 - p) / n) = 0.0685.
  EXPECT_NEAR(s64->metrics[0].stderr_value, std::sqrt(0.75 * 0.25 / 40), 0.0685 * 0.12);
  EXPECT_DOUBLE_EQ(s64->mean_forward_passes, 64.0);
  EXPECT_DOUBLE_EQ(s64->total_seconds, 20.0);

  Json j = read_json_file(dir.path("summary.json"));
  ASSERT_EQ(j["results"].size(), 2u);
  bool found = false;
  for (const auto& r : j["results"]) {
    if (r["protocol"] != "p32") continue;
    found = true;
    EXPECT_DOUBLE_EQ(r["metrics"]["exact_match"]["value"].get<double>(), 0.5);
    EXPECT_EQ(r["metrics"]["exact_match"]["n"], 40);
    EXPECT_GT(r["metrics"]["exact_match"]["stderr"].get<double>(), 0.05);
    EXPECT_DOUBLE_EQ(r["metrics"]["flexible_match"]["stderr"].get<double>(), 0.0);  // constant values
    EXPECT_DOUBLE_EQ(r["mean_forward_passes"].get<double>(), 32.0);
  }
  EXPECT_TRUE(found);
  std::string md = read_file_bytes(dir.path("summary.md"));
  EXPECT_NE(md.find("| gsm8k | p64 (`fp64`) | exact_match | 0.7500 |"), std::string::npos) << md;
}

TEST(Aggregate, SameSeedSameStderr) {
  TempDir dir("aggregate_seed");
  RunManifest m = make_manifest();
  m.tasks = {make_task("arc_easy", 25)};
  m.protocols = {make_protocol("p", 8)};
  std::vector<int> correct;
  for (int i = 0; i < 25; ++i) correct.push_back(i % 3 == 0);
  write_run(dir.path(), m, {{{"arc_easy", "p"}, binary_samples(correct)}});
  LoadedRun run = load_run(dir.path());
  auto a = summarize_run(run, {500, 7});
  auto b = summarize_run(run, {500, 7});
  EXPECT_EQ(a.evaluations[0].metrics[0].stderr_value, b.evaluations[0].metrics[0].stderr_value);
}

TEST(Aggregate, IncompleteRunIsFlaggedInMarkdown) {
  TempDir dir("aggregate_incomplete");
  RunManifest m = make_manifest();
  m.tasks = {make_task("piqa", 10)};
  m.protocols = {make_protocol("p", 8)};
  write_run(dir.path(), m, {{{"piqa", "p"}, binary_samples({1, 0, 1})}});
  RunSummary s = summarize_run(load_run(dir.path()));
  EXPECT_NE(s.to_markdown().find("piqa / p: 3 of 10 docs scored"), std::string::npos) << s.to_markdown();
}

TEST(Aggregate, NonNumericMetricNamesFileAndDoc) {
  TempDir dir("aggregate_bad");
  RunManifest m = make_manifest();
  m.tasks = {make_task("piqa", 1)};
  m.protocols = {make_protocol("p", 8)};
  Json bad = make_sample("7", {});
  bad["metrics"] = {{"acc", "yes"}};
  write_run(dir.path(), m, {{{"piqa", "p"}, {bad}}});
  try {
    load_run(dir.path());
    FAIL();
  } catch (const UserError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("samples-piqa-p.jsonl"), std::string::npos) << what;
    EXPECT_NE(what.find("doc 7"), std::string::npos) << what;
    EXPECT_NE(what.find("metrics.acc"), std::string::npos) << what;
  }
}

// Code tasks: every program's sandbox status is counted per task and protocol, in summary.json and
// summary.md, because timeouts move pass@k.
TEST(Aggregate, CountsProgramStatusesOfCodeSamples) {
  TempDir dir("aggregate_programs");
  RunManifest m = make_manifest();
  m.tasks = {make_task("humaneval", 2, {"pass@1"})};
  m.protocols = {make_protocol("p", 8)};
  Json a = make_sample("a", {{"pass@1", 0.5}});
  a["filtered_resps"] = {{"completions", {"x", "y"}}, {"status", {"passed", "timeout"}}, {"timeout_s", 3.0}};
  Json b = make_sample("b", {{"pass@1", 0.0}});
  b["filtered_resps"] = {{"completions", {"x", "y"}}, {"status", {"failed", "timeout"}}, {"timeout_s", 3.0}};
  write_run(dir.path(), m, {{{"humaneval", "p"}, {a, b}}});
  RunSummary s = summarize_run(load_run(dir.path()));
  const std::map<std::string, int64_t> expected = {{"failed", 1}, {"passed", 1}, {"timeout", 2}};
  EXPECT_EQ(s.evaluations.at(0).program_status, expected);
  EXPECT_EQ(s.to_json()["results"][0]["program_status"]["timeout"], 2);
  EXPECT_NE(s.to_markdown().find("humaneval / p: 1 failed, 1 passed, 2 timeout"), std::string::npos) << s.to_markdown();
  // A task without programs reports none.
  TempDir plain("aggregate_no_programs");
  RunManifest m2 = make_manifest();
  m2.tasks = {make_task("gsm8k", 2)};
  m2.protocols = {make_protocol("p", 8)};
  write_run(plain.path(), m2, {{{"gsm8k", "p"}, binary_samples({1, 0})}});
  EXPECT_TRUE(summarize_run(load_run(plain.path())).to_json()["results"][0].count("program_status") == 0);
}

TEST(Manifest, RoundTripsAndRejectsBadFields) {
  TempDir dir("manifest");
  RunManifest m = make_manifest();
  m.tasks = {make_task("mmlu", 3, {"acc"})};
  m.tasks[0].scoring = {{"execution", {{"rule", "fixed"}, {"timeout_s", 3.0}}}};
  m.protocols = {make_protocol("elbo", 1)};
  m.shard = {1, 4};
  m.limit = 3;
  m.evaluations = {{"mmlu", "elbo", samples_file_name("mmlu", "elbo")}};
  write_manifest(dir.path(), m);
  RunManifest back = read_manifest(dir.path());
  EXPECT_EQ(back.to_json(), m.to_json());
  EXPECT_EQ(back.shard, (ShardSpec{1, 4}));

  Json j = m.to_json();
  j["shard"]["index"] = 4;
  EXPECT_THROW(RunManifest::from_json(j, "x.json"), UserError);
  j = m.to_json();
  j["evaluations"][0]["protocol"] = "nope";
  try {
    RunManifest::from_json(j, "x.json");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("x.json.evaluations[0].protocol"), std::string::npos) << e.what();
  }
  EXPECT_EQ(samples_file_name("bbh", "llada gen/256"), "samples-bbh-llada_gen_256.jsonl");
  EXPECT_EQ(doc_ids_digest({"b", "a"}), doc_ids_digest({"a", "b"}));
}

TEST(Aggregate, CostPerDocModelShareAndTokensPerCallFromTheRecordsCounters) {
  TempDir dir("aggregate_cost");
  RunManifest m = make_manifest();
  m.tasks = {make_task("gsm8k", 4)};
  m.protocols = {make_protocol("p64", 64)};
  auto samples = binary_samples({1, 0, 1, 1});
  for (size_t i = 0; i < samples.size(); ++i) {
    ModelCost c;
    c.rows = 8 + static_cast<int64_t>(i);  // 8, 9, 10, 11
    c.tokens_computed = 100;
    c.tokens_cached = 20 * static_cast<int64_t>(i);
    c.head_tokens = 50;
    c.flops = 1e9 * static_cast<double>(i + 1);  // 1..4 GFLOPs
    c.model_seconds = 0.25;
    c.peak_memory_bytes = i == 2 ? (int64_t{3} << 30) : 0;
    samples[i]["cost"] = c.to_json();
    samples[i]["seconds"] = 0.5;          // half of the wall time in the model
    samples[i]["forward_passes"] = 16;
    samples[i]["generated_tokens"] = 40;  // 40 tokens in 16 calls: 2.5 per call
  }
  write_run(dir.path(), m, {{{"gsm8k", "p64"}, samples}});
  const RunSummary summary = write_summary(dir.path());
  const CostSummary& c = summary.evaluations.at(0).cost;
  EXPECT_DOUBLE_EQ(c.forward_passes, 16);
  EXPECT_DOUBLE_EQ(c.rows, 9.5);
  EXPECT_DOUBLE_EQ(c.tokens_computed, 100);
  EXPECT_DOUBLE_EQ(c.tokens_cached, 30);
  EXPECT_DOUBLE_EQ(c.flops, 2.5e9);
  EXPECT_DOUBLE_EQ(c.seconds, 0.5);
  EXPECT_DOUBLE_EQ(c.model_share, 0.5);
  EXPECT_DOUBLE_EQ(c.tokens_per_call, 2.5);
  EXPECT_EQ(c.peak_memory_bytes, int64_t{3} << 30);
  const Json j = read_json_file(dir.path("summary.json"));
  EXPECT_DOUBLE_EQ(j["results"][0]["cost"]["flops_per_doc"].get<double>(), 2.5e9);
  const std::string md = read_file_bytes(dir.path("summary.md"));
  EXPECT_NE(md.find("| gsm8k | p64 | 16.0 | 9.5 | 100 | 30 | 2.5e+09 | 0.5000 | 50% | 2.50 | 3.00 GiB |"), std::string::npos)
      << md;
}

TEST(Aggregate, ModelCostSharesAndSumsAsTheRecordsNeed) {
  ModelCost batch;
  batch.rows = 16;
  batch.tokens_computed = 16 * 26;
  batch.flops = 1.6e8;
  batch.model_seconds = 0.8;
  batch.peak_memory_bytes = 1000;
  const ModelCost one = batch.share(4);
  EXPECT_EQ(one.rows, 4);
  EXPECT_EQ(one.tokens_computed, 4 * 26);
  EXPECT_DOUBLE_EQ(one.flops, 4e7);
  EXPECT_DOUBLE_EQ(one.model_seconds, 0.2);
  EXPECT_EQ(one.peak_memory_bytes, 1000);  // the batch's peak, not a quarter of it
  ModelCost sum = one;
  sum += one;
  EXPECT_EQ(sum.rows, 8);
  EXPECT_EQ(sum.peak_memory_bytes, 1000);
  EXPECT_EQ(ModelCost::from_json(sum.to_json()).to_json(), sum.to_json());
  EXPECT_EQ(ModelCost::difference(batch, one).rows, 12);
}
