// `dlmeval run` end to end on the tiny golden checkpoint: two tasks × two protocols, the files
// and fields it writes, aggregates recomputed from the samples, kill -9 and resume, bad inputs.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "harness/core/json_io.h"
#include "run_test_support.h"

extern char** environ;

namespace fs = std::filesystem;
using namespace dlmeval;

namespace {

struct Fixture {
  fs::path root;
  std::string model, gen, choice;
};

Fixture make_fixture(const std::string& name) {
  Fixture f;
  f.root = test::scratch_dir(name);
  f.model = test::tiny_model_with_tokenizer(f.root);
  const auto protocols = test::write_tiny_protocols(f.root);
  f.gen = protocols.gen;
  f.choice = protocols.choice;
  return f;
}

// GSM8K's 5-shot prompts (about 1500 tokens) exceed the tiny checkpoint's 512 positions; its RoPE
// runs them all the same, and the override says so.
std::string run_args(const Fixture& f, const std::string& out, const std::string& extra = "") {
  return "run --model " + f.model + " --tasks gsm8k,arc_easy --protocol " + f.gen + " --protocol " + f.choice +
         " --protocol conf-single --limit 4 --batch-size 2 --threads 1 --quiet --max-sequence-length 2048 --data-dir " +
         test::data_dir() +
         " --out " + out + " " + extra;
}

// doc_id -> the parts of a sample that must not depend on interruptions.
std::map<std::string, Json> stable_samples(const std::string& path) {
  std::map<std::string, Json> out;
  for (const auto& r : read_jsonl_file(path)) {
    EXPECT_EQ(out.count(r["doc_id"].get<std::string>()), 0u) << "duplicate doc " << r["doc_id"] << " in " << path;
    out[r["doc_id"].get<std::string>()] = {r["resps"], r["metrics"], r["filtered_resps"], r["prompt_hash"], r["seed"]};
  }
  return out;
}

TEST(RunEndToEnd, TwoTasksTimesTwoProtocolsWriteSamplesManifestAndSummary) {
  auto f = make_fixture("run_e2e");
  const std::string out = (f.root / "run").string();
  auto r = test::run_dlmeval(run_args(f, out));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  Json manifest = read_json_file(out + "/manifest.json");
  ASSERT_EQ(manifest["evaluations"].size(), 3u);  // gsm8k × tiny-gen, arc_easy × tiny-mc, arc_easy × conf-single
  EXPECT_FALSE(manifest["finished_at"].get<std::string>().empty());
  EXPECT_EQ(manifest["seed"], 1234);
  for (const auto& key : {"model_hash", "dlmeval", "libtorch_version", "runtime", "model", "started_at"})
    EXPECT_TRUE(manifest.contains(key)) << key;
  EXPECT_EQ(manifest["runtime"]["dtype"], "f32");
  EXPECT_EQ(manifest["runtime"]["device"], "cpu");
  // The machine the costs come from.
  const Json machine = manifest["extra"]["machine"];
  EXPECT_FALSE(machine["cpu_model"].get<std::string>().empty()) << machine.dump();
  EXPECT_GE(machine["cpu_cores"].get<int>(), 1);
  EXPECT_EQ(machine["device_name"], "cpu");
  EXPECT_EQ(machine["threads"], 1);
  // Protocols are recorded with every default filled in.
  for (const auto& p : manifest["protocols"]) {
    if (p["name"] == "tiny-gen") {
      EXPECT_EQ(p["settings"]["temperature"], 0.0);
      EXPECT_EQ(p["settings"]["remasking"], "low_confidence");
    }
  }
  for (const auto& t : manifest["tasks"]) {
    EXPECT_EQ(t["prompt_fingerprint"].get<std::string>().size() > 0, true);
    EXPECT_FALSE(t["data_files"].empty()) << t.dump();
    for (const auto& [file, sha] : t["data_files"].items()) EXPECT_EQ(sha.get<std::string>().size(), 64u) << file;
  }
  for (const auto& p : manifest["protocols"]) EXPECT_EQ(p["fingerprint"].get<std::string>().size(), 16u);

  Json summary = read_json_file(out + "/summary.json");
  for (const auto& ev : manifest["evaluations"]) {
    const std::string path = out + "/" + ev["samples_file"].get<std::string>();
    auto records = read_jsonl_file(path);
    ASSERT_EQ(records.size(), 4u) << path;
    std::map<std::string, std::vector<double>> values;
    for (const auto& rec : records) {
      for (const char* key : {"doc_id", "doc", "target", "arguments", "resps", "filtered_resps", "metrics", "doc_hash",
                              "prompt_hash", "target_hash", "protocol", "protocol_fingerprint", "forward_passes",
                              "prompt_tokens", "seconds"})
        EXPECT_TRUE(rec.contains(key)) << key << " missing in " << path;
      EXPECT_GT(rec["forward_passes"].get<int64_t>(), 0);
      for (const auto& [m, v] : rec["metrics"].items()) values[m].push_back(v.get<double>());
      if (ev["task"] == "arc_easy") {
        EXPECT_EQ(rec["resps"].size(), rec["arguments"]["continuations"].size());
      }
    }
    // Aggregates must be the means of the per-sample metrics.
    const std::string rendered = summary.dump();
    for (const auto& [metric, vs] : values) {
      double mean = 0;
      for (double v : vs) mean += v / static_cast<double>(vs.size());
      bool found = false;
      for (const auto& e : summary["results"]) {
        if (e["task"] != ev["task"] || e["protocol"] != ev["protocol"] || !e["metrics"].contains(metric)) continue;
        found = true;
        EXPECT_NEAR(e["metrics"][metric]["value"].get<double>(), mean, 1e-12) << metric;
        EXPECT_EQ(e["metrics"][metric]["n"], 4);
      }
      EXPECT_TRUE(found) << metric << " of " << ev.dump() << " not in summary: " << rendered.substr(0, 400);
    }
  }
  EXPECT_TRUE(fs::exists(out + "/summary.md"));

  // Running the same command again resumes: nothing new is evaluated, nothing duplicated.
  auto again = test::run_dlmeval(run_args(f, out));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 docs evaluated, 12 resumed"), std::string::npos) << again.output;
  fs::remove_all(f.root);
}

TEST(RunEndToEnd, KilledAtRandomPointsResumesToIdenticalResults) {
  auto f = make_fixture("run_kill");
  const std::string reference = (f.root / "reference").string();
  ASSERT_EQ(test::run_dlmeval(run_args(f, reference)).exit_code, 0);

  const std::string out = (f.root / "killed").string();
  std::mt19937 rng(20261127);
  std::uniform_int_distribution<int> delay_ms(300, 3000);
  int kills = 0;
  for (int attempt = 0; attempt < 6; ++attempt) {
    std::string cmd = std::string(DLMEVAL_BINARY) + " " + run_args(f, out) + " >/dev/null 2>&1";
    pid_t pid = 0;
    const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
    // exec replaces the shell, so the SIGKILL reaches dlmeval itself.
    std::string exec_cmd = "exec " + cmd;
    argv[2] = exec_cmd.c_str();
    ASSERT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (kill(pid, SIGKILL) == 0) ++kills;
    int status = 0;
    waitpid(pid, &status, 0);
  }
  EXPECT_GT(kills, 0);
  auto finish = test::run_dlmeval(run_args(f, out));
  ASSERT_EQ(finish.exit_code, 0) << finish.output;

  Json manifest = read_json_file(reference + "/manifest.json");
  for (const auto& ev : manifest["evaluations"]) {
    const std::string file = ev["samples_file"].get<std::string>();
    EXPECT_EQ(stable_samples(reference + "/" + file), stable_samples(out + "/" + file)) << file;
  }
  Json a = read_json_file(reference + "/summary.json"), b = read_json_file(out + "/summary.json");
  ASSERT_EQ(a["results"].size(), b["results"].size());
  for (size_t i = 0; i < a["results"].size(); ++i) EXPECT_EQ(a["results"][i]["metrics"], b["results"][i]["metrics"]);
  fs::remove_all(f.root);
}

TEST(RunBadInputs, ClearErrorsBeforeAnyModelWork) {
  auto f = make_fixture("run_bad");
  const std::string out = (f.root / "out").string();
  struct Case {
    std::string args, expected;
  };
  const std::vector<Case> cases = {
      {"run --model " + f.model + " --tasks no_such_task --protocol conf-single --out " + out, "no_such_task"},
      {"run --model " + f.model + " --tasks arc_easy --protocol no-such-protocol --out " + out, "no-such-protocol"},
      {"run --model " + f.model + " --tasks arc_easy --protocol conf-single --data-dir " + (f.root / "nodata").string() +
           " --out " + out,
       "nodata"},
      {"run --model " + f.model + " --tasks arc_easy --protocol conf-single --data-dir " + test::data_dir() +
           " --out /proc/dlmeval-cannot-write",
       "/proc/dlmeval-cannot-write"},
      {"run --model " + (f.root / "missing-model").string() + " --tasks arc_easy --protocol conf-single --out " + out,
       "missing-model"},
      {"run --model " + f.model + " --tasks arc_easy --protocol " + f.gen + " --data-dir " + test::data_dir() +
           " --out " + out,
       "choice protocol"},
  };
  for (const auto& c : cases) {
    auto r = test::run_dlmeval(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.expected), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
  // A malformed protocol file.
  std::ofstream(f.root / "broken.json") << "{\"estimator\": ";
  auto r = test::run_dlmeval("run --model " + f.model + " --tasks arc_easy --protocol " + (f.root / "broken.json").string() +
                             " --data-dir " + test::data_dir() + " --out " + out);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("broken.json"), std::string::npos) << r.output;
  fs::remove_all(f.root);
}

}  // namespace

namespace {

TEST(SweepEndToEnd, GridBecomesOneResumableRunWithTableAndChart) {
  auto f = make_fixture("sweep");
  const auto grid = (f.root / "grid.json").string();
  std::ofstream(grid) << R"({"name": "mcgrid", "tasks": ["arc_easy"],
    "base": {"estimator": "mc_elbo", "batch_size": 2}, "axes": {"mc_num": [2, 4]}})";
  const std::string out = (f.root / "sweep").string();
  const std::string args = "sweep --model " + f.model + " --grid " + grid + " --out " + out +
                           " --limit 3 --threads 1 --quiet --data-dir " + test::data_dir();
  auto r = test::run_dlmeval(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string table = read_file_bytes(out + "/sweep.md");
  EXPECT_NE(table.find("mcgrid-mc_num=2"), std::string::npos) << table;
  EXPECT_NE(table.find("mcgrid-mc_num=4"), std::string::npos) << table;
  EXPECT_NE(read_file_bytes(out + "/sweep.svg").find("<svg"), std::string::npos);
  Json manifest = read_json_file(out + "/manifest.json");
  ASSERT_EQ(manifest["protocols"].size(), 2u);
  EXPECT_EQ(manifest["protocols"][0]["settings"]["mc_num"], 2);
  EXPECT_EQ(manifest["protocols"][1]["settings"]["mc_num"], 4);
  auto again = test::run_dlmeval(args);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 docs evaluated, 6 resumed"), std::string::npos) << again.output;
  fs::remove_all(f.root);
}

}  // namespace

namespace {

TEST(RunEndToEnd, TaskFromAFileAloneRunsOnTheTinyModel) {
  // A benchmark added with one file and no compiler: data beside it, a filter and exact_match.
  auto f = make_fixture("run_task_file");
  const fs::path dir = f.root / "my_tasks";
  fs::create_directories(dir / "data");
  std::ofstream(dir / "data" / "test.jsonl") << "{\"q\": \"one plus one\", \"a\": \"2\"}\n"
                                                "{\"q\": \"two plus two\", \"a\": \"4\"}\n"
                                                "{\"q\": \"three plus three\", \"a\": \"6\"}\n";
  std::ofstream(dir / "add.yaml") << "task: add_words\nsummary: sums in words\noutput_type: generate_until\n"
                                     "dataset_files: {test: ./data/test.jsonl}\ntest_split: test\n"
                                     "doc_to_text: \"Q: {{q}}\\nA:\"\ndoc_to_target: a\n"
                                     "filter_list:\n  - name: digits\n    filter:\n"
                                     "      - {function: regex, regex_pattern: \"(\\\\d+)\"}\n"
                                     "      - {function: take_first}\n";
  const auto listed = test::run_dlmeval("tasks --task-file " + dir.string());
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("add_words"), std::string::npos) << listed.output;
  const std::string out = (f.root / "run").string();
  const std::string args = "run --model " + f.model + " --task-file " + dir.string() + " --protocol " + f.gen +
                           " --threads 1 --quiet --out " + out;
  const auto plan = test::run_dlmeval(args + " --dry-run");
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("add_words"), std::string::npos) << plan.output;
  EXPECT_NE(plan.output.find("3 docs"), std::string::npos) << plan.output;
  const auto run = test::run_dlmeval(args);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto samples = read_jsonl_file(out + "/samples-add_words-tiny-gen.jsonl");
  ASSERT_EQ(samples.size(), 3u);
  for (const auto& s : samples) {
    EXPECT_TRUE(s["metrics"].contains("exact_match,digits")) << s.dump();
    EXPECT_EQ(s["arguments"]["contexts"][0].get<std::string>().rfind("Q: ", 0), 0u);
    EXPECT_TRUE(s["filtered_resps"]["digits"].is_array());
  }
  const Json manifest = read_json_file(out + "/manifest.json");
  EXPECT_EQ(manifest["tasks"][0]["scoring"]["task_file"], (dir / "add.yaml").string());
  // Edit the file and resume: refused, the definition changed.
  std::ofstream(dir / "add.yaml", std::ios::app) << "metadata: {version: 2}\n";
  const auto edited = test::run_dlmeval(args);
  EXPECT_EQ(edited.exit_code, 2) << edited.output;
  EXPECT_NE(edited.output.find("holds a different run"), std::string::npos) << edited.output;
  fs::remove_all(f.root);
}

}  // namespace

namespace {

TEST(RunEndToEnd, DevicesRunOneWorkerPerDeviceAndMergeIntoTheOneProcessRun) {
  // cpu,cpu stands in for two GPUs: two workers on their own shards, merged into OUT/merged.
  auto f = make_fixture("run_devices");
  const std::string args = "--model " + f.model + " --tasks gsm8k,arc_easy --num-fewshot 0 --protocol " + f.gen +
                           " --protocol " + f.choice + " --limit 5 --batch-size 2 --threads 1 --data-dir " +
                           test::data_dir();
  const std::string single = (f.root / "single").string();
  ASSERT_EQ(test::run_dlmeval("run " + args + " --quiet --out " + single).exit_code, 0);
  const std::string multi = (f.root / "multi").string();
  const auto r = test::run_dlmeval("run " + args + " --devices cpu,cpu --out " + multi);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2 shards on cpu,cpu merged"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(multi + "/shards/0-of-2/manifest.json"));
  EXPECT_TRUE(fs::exists(multi + "/shards/1-of-2.log"));
  for (const char* file : {"samples-gsm8k-tiny-gen.jsonl", "samples-arc_easy-tiny-mc.jsonl"})
    EXPECT_EQ(stable_samples(multi + "/merged/" + file), stable_samples(single + "/" + file)) << file;
  // Again: every shard resumes with nothing to do, and the merge is the same.
  const auto again = test::run_dlmeval("run " + args + " --devices cpu,cpu --quiet --out " + multi);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(stable_samples(multi + "/merged/samples-gsm8k-tiny-gen.jsonl"),
            stable_samples(single + "/samples-gsm8k-tiny-gen.jsonl"));
  EXPECT_NE(test::run_dlmeval("run " + args + " --devices cpu,cpu --shard 0/2 --out " + multi).output.find("--devices makes"),
            std::string::npos);
  fs::remove_all(f.root);
}

}  // namespace
