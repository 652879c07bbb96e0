// Whole runs through the harness library with a stand-in Runner: no LibTorch, no model, the real
// tasks, protocols, sample store, resume, shards, merge and suites. The stand-in is deterministic in
// (prompt, seed), so any two runs that evaluate the same docs must write the same samples.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "harness/core/error.h"
#include "harness/core/hash.h"
#include "harness/evaluation_run.h"
#include "harness/suite.h"
#include "results/merge.h"
#include "run_test_support.h"

namespace fs = std::filesystem;
using namespace dlmeval;

namespace {

// Bytes as token ids; answers and scores drawn from a hash of prompt and seed. `fail_after` makes
// the runner fail on that call, as a crash mid-run would.
class StandInRunner : public Runner {
 public:
  explicit StandInRunner(int fail_after = -1) : fail_after_(fail_after) {}

  std::vector<GenerationResult> generate(const std::vector<GenerationRequest>& batch) override {
    count_call();
    std::vector<GenerationResult> out;
    for (const auto& r : batch) {
      const uint64_t h = mix(r.prompt_ids, r.seed);
      GenerationResult g;
      g.text = "Step one. #### " + std::to_string(h % 3 == 0 ? 18 : h % 50);
      g.output_ids = encode(g.text);
      g.generated_tokens = static_cast<int64_t>(g.output_ids.size());
      g.forward_passes = 4;
      out.push_back(std::move(g));
    }
    return out;
  }

  std::vector<ChoiceResult> score_choices(const std::vector<ChoiceRequest>& batch) override {
    count_call();
    std::vector<ChoiceResult> out;
    for (const auto& r : batch) {
      ChoiceResult c;
      for (size_t k = 0; k < r.continuations.size(); ++k) {
        c.loglik.push_back(-static_cast<double>(mix(r.continuations[k], r.seed) % 1000) / 100.0);
        c.stderr_of_loglik.push_back(0.0);
      }
      c.forward_passes = static_cast<int64_t>(r.continuations.size());
      out.push_back(std::move(c));
    }
    return out;
  }

  const SpecialIds& special_ids() const override { return ids_; }
  TokenIds encode(const std::string& text) const override { return TokenIds(text.begin(), text.end()); }
  std::string decode(const TokenIds& ids, bool) const override { return std::string(ids.begin(), ids.end()); }
  std::string apply_chat_template(const Json& messages, bool) const override { return messages.dump(); }
  Json describe() const override { return {{"runner", "stand-in"}, {"threads", 1}}; }

 private:
  static uint64_t mix(const TokenIds& ids, uint64_t seed) {
    uint64_t h = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int64_t id : ids) h = (h ^ static_cast<uint64_t>(id)) * 0x100000001B3ull;
    return h ^ (h >> 29);
  }
  void count_call() {
    if (calls_++ == fail_after_) throw UserError("stand-in runner stopped");
  }
  SpecialIds ids_;
  int fail_after_;
  int calls_ = 0;
};

RunnerFactory stand_in(int fail_after = -1) {
  return [fail_after](const std::string&, const RuntimeOptions&) { return std::make_unique<StandInRunner>(fail_after); };
}

struct Fixture {
  fs::path root;
  RunOptions options;
};

Fixture make_fixture(const std::string& name) {
  Fixture f;
  f.root = test::scratch_dir(name);
  const fs::path model = f.root / "model";
  fs::create_directories(model);
  std::ofstream(model / "config.json") << R"({"architectures": ["StandIn"]})";
  const auto protocols = test::write_tiny_protocols(f.root);
  f.options.model_dir = model.string();
  f.options.tasks = {"gsm8k", "arc_easy"};
  f.options.protocols = {protocols.gen, protocols.choice};
  f.options.limit = 7;
  f.options.batch_size = 2;
  f.options.data_dir = test::data_dir();
  f.options.quiet = true;
  return f;
}

// doc_id -> what must not depend on how the run was cut up, for every sample file of a run.
std::map<std::string, Json> samples_of(const std::string& dir) {
  std::map<std::string, Json> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".jsonl") continue;
    for (const auto& r : read_jsonl_file(entry.path().string())) {
      const std::string key = entry.path().filename().string() + "/" + r["doc_id"].get<std::string>();
      EXPECT_EQ(out.count(key), 0u) << "doc twice: " << key;
      out[key] = {r["resps"], r["metrics"], r["filtered_resps"], r["prompt_hash"], r["seed"], r["doc_index"]};
    }
  }
  return out;
}

Json summary_metrics(const std::string& dir) {
  const Json summary = read_json_file(dir + "/summary.json");
  Json out = Json::array();
  for (const auto& e : summary["results"]) out.push_back(Json::array({e["task"], e["protocol"], e["metrics"]}));
  return out;
}

TEST(RunLibrary, WholeRunWritesEverySampleAndASummary) {
  Fixture f = make_fixture("lib_whole");
  f.options.out_dir = (f.root / "run").string();
  const RunReport report = execute_run(f.options, stand_in());
  EXPECT_EQ(report.docs_run, 14u);  // 7 GSM8K docs x tiny-gen, 7 ARC-Easy docs x tiny-mc
  EXPECT_EQ(report.docs_resumed, 0u);
  const auto samples = samples_of(f.options.out_dir);
  EXPECT_EQ(samples.size(), 14u);
  const Json manifest = read_json_file(f.options.out_dir + "/manifest.json");
  EXPECT_EQ(manifest["model"]["runner"], "stand-in");
  EXPECT_FALSE(manifest["finished_at"].get<std::string>().empty());
  const Json metrics = summary_metrics(f.options.out_dir);
  ASSERT_EQ(metrics.size(), 2u);
  EXPECT_EQ(metrics[0][0], "gsm8k");
  EXPECT_EQ(metrics[0][2]["exact_match_strict"]["n"], 7);
  EXPECT_EQ(metrics[1][0], "arc_easy");
  EXPECT_EQ(metrics[1][2]["acc"]["n"], 7);
  // Again: everything resumes, nothing is run twice.
  const RunReport again = execute_run(f.options, stand_in());
  EXPECT_EQ(again.docs_run, 0u);
  EXPECT_EQ(again.docs_resumed, 14u);
  EXPECT_EQ(samples_of(f.options.out_dir), samples);
  fs::remove_all(f.root);
}

TEST(RunLibrary, RunStoppedMidwayResumesToTheSameSamples) {
  Fixture f = make_fixture("lib_resume");
  f.options.out_dir = (f.root / "reference").string();
  execute_run(f.options, stand_in());
  // Docs per runner call: GSM8K's 7 in batches of 2, then ARC-Easy's.
  const std::vector<size_t> batches = {2, 2, 2, 1, 2, 2, 2, 1};
  for (int stop_at : {0, 1, 3, 5}) {
    size_t done_before = 0;
    for (int i = 0; i < stop_at; ++i) done_before += batches[static_cast<size_t>(i)];
    RunOptions cut = f.options;
    cut.out_dir = (f.root / ("cut" + std::to_string(stop_at))).string();
    EXPECT_THROW(execute_run(cut, stand_in(stop_at)), UserError);
    const RunReport finish = execute_run(cut, stand_in());
    EXPECT_EQ(finish.docs_resumed, done_before) << stop_at;
    EXPECT_EQ(finish.docs_resumed + finish.docs_run, 14u);
    EXPECT_EQ(samples_of(cut.out_dir), samples_of(f.options.out_dir)) << stop_at;
    EXPECT_EQ(summary_metrics(cut.out_dir), summary_metrics(f.options.out_dir)) << stop_at;
  }
  fs::remove_all(f.root);
}

TEST(RunLibrary, RunnerErrorsNameTheTaskProtocolAndDocs) {
  Fixture f = make_fixture("lib_error_context");
  f.options.out_dir = (f.root / "run").string();
  std::string message;
  try {
    execute_run(f.options, stand_in(1));  // the second call: GSM8K docs 2 and 3
  } catch (const UserError& e) {
    message = e.what();
  }
  EXPECT_EQ(message, "gsm8k x tiny-gen, docs 2, 3: stand-in runner stopped");
  fs::remove_all(f.root);
}

TEST(RunLibrary, ShardsMergeIntoTheUnshardedRun) {
  Fixture f = make_fixture("lib_shards");
  f.options.out_dir = (f.root / "whole").string();
  execute_run(f.options, stand_in());
  std::vector<std::string> shards;
  size_t run = 0;
  for (int i = 0; i < 3; ++i) {
    RunOptions shard = f.options;
    shard.shard = ShardSpec{i, 3};
    shard.out_dir = (f.root / ("shard" + std::to_string(i))).string();
    run += execute_run(shard, stand_in()).docs_run;
    shards.push_back(shard.out_dir);
  }
  EXPECT_EQ(run, 14u);
  const std::string merged = (f.root / "merged").string();
  merge_shards(shards, merged);
  EXPECT_EQ(samples_of(merged), samples_of(f.options.out_dir));
  EXPECT_EQ(summary_metrics(merged), summary_metrics(f.options.out_dir));
  // Two of three shards are refused, naming the missing one.
  EXPECT_FALSE(shard_problems({shards[0], shards[2]}).empty());
  fs::remove_all(f.root);
}

TEST(RunLibrary, RunSplitThreeWaysIsFinishedTwoWaysFromWhatFinished) {
  Fixture f = make_fixture("lib_resplit");
  f.options.out_dir = (f.root / "whole").string();
  execute_run(f.options, stand_in());
  // A 3-way split where shard 1 died after its first runner call.
  std::vector<std::string> old_shards;
  for (int i = 0; i < 3; ++i) {
    RunOptions shard = f.options;
    shard.shard = ShardSpec{i, 3};
    shard.out_dir = (f.root / ("old" + std::to_string(i))).string();
    if (i == 1) {
      EXPECT_THROW(execute_run(shard, stand_in(1)), UserError);
    } else {
      execute_run(shard, stand_in());
    }
    old_shards.push_back(shard.out_dir);
  }
  std::vector<std::string> new_shards;
  size_t run = 0, taken = 0;
  for (int i = 0; i < 2; ++i) {
    RunOptions shard = f.options;
    shard.shard = ShardSpec{i, 2};
    shard.out_dir = (f.root / ("new" + std::to_string(i))).string();
    shard.completed_from = old_shards;
    const RunReport report = execute_run(shard, stand_in());
    run += report.docs_run;
    taken += report.docs_taken_over;
    new_shards.push_back(shard.out_dir);
  }
  EXPECT_EQ(run + taken, 14u);
  EXPECT_GE(taken, 9u);  // shards 0 and 2 finished about two thirds; shard 1 its first batch
  const std::string merged = (f.root / "merged").string();
  merge_shards(new_shards, merged);
  EXPECT_EQ(samples_of(merged), samples_of(f.options.out_dir));
  // Only folders of this same run can give their docs.
  RunOptions other = f.options;
  other.seed = 99;
  other.out_dir = (f.root / "other").string();
  other.completed_from = old_shards;
  EXPECT_THROW(execute_run(other, stand_in()), UserError);
  fs::remove_all(f.root);
}

TEST(RunLibrary, SuiteRunsExactlyItsPairs) {
  Fixture f = make_fixture("lib_suite");
  const auto protocols = test::write_tiny_protocols(f.root);
  const Json suite_json = {{"name", "two-pairs"},
                           {"description", "one generation and one choice pair"},
                           {"entries",
                            {{{"task", "gsm8k"}, {"protocol", protocols.gen}, {"num_fewshot", 0}},
                             {{"task", "arc_easy"}, {"protocol", protocols.choice}}}}};
  RunOptions o = f.options;
  o.suite = Suite::from_json(suite_json, "two-pairs.json");
  o.protocols.clear();
  o.tasks.clear();
  o.out_dir = (f.root / "suite").string();
  const RunReport report = execute_run(o, stand_in());
  EXPECT_EQ(report.docs_run, 14u);
  const Json manifest = read_json_file(o.out_dir + "/manifest.json");
  ASSERT_EQ(manifest["evaluations"].size(), 2u);
  EXPECT_EQ(manifest["evaluations"][0]["task"], "gsm8k");
  EXPECT_EQ(manifest["evaluations"][1]["task"], "arc_easy");
  EXPECT_EQ(manifest["suite"]["name"], "two-pairs");
  // Zero shots: the GSM8K prompt is the question alone, shorter than the 5-shot one of the
  // protocol-list run above.
  const auto zero_shot = read_jsonl_file(o.out_dir + "/" + manifest["evaluations"][0]["samples_file"].get<std::string>());
  RunOptions five = f.options;
  five.tasks = {"gsm8k"};
  five.protocols = {protocols.gen};
  five.out_dir = (f.root / "five").string();
  execute_run(five, stand_in());
  const Json five_manifest = read_json_file(five.out_dir + "/manifest.json");
  const auto five_shot =
      read_jsonl_file(five.out_dir + "/" + five_manifest["evaluations"][0]["samples_file"].get<std::string>());
  ASSERT_FALSE(zero_shot.empty());
  EXPECT_LT(zero_shot[0]["arguments"].dump().size(), five_shot[0]["arguments"].dump().size());
  fs::remove_all(f.root);
}

}  // namespace
