// `dlmeval slurm` against a real single-node Slurm cluster started on this machine
// (tests/slurm/local_cluster.sh): a 3-shard array whose merge equals the unsharded run, a cancelled
// shard resubmitted, and a 3-shard run finished on 2 shards. Skipped, saying why, where Slurm
// cannot start (not root, packages missing).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "harness/core/json_io.h"
#include "run_test_support.h"

namespace fs = std::filesystem;
using namespace dlmeval;

namespace {

test::CommandResult shell(const std::string& command) {
  test::CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe)) r.output += buffer;
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class SlurmCluster : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(test::scratch_dir("slurm"));
    const int port = 17000 + static_cast<int>(getpid() % 400) * 2;
    const auto started = shell("bash " + std::string(DLMEVAL_SOURCE_DIR) + "/tests/slurm/local_cluster.sh start " +
                               (*root_ / "cluster").string() + " " + std::to_string(port));
    if (started.exit_code != 0) {
      skip_reason_ = new std::string(started.output);
      return;
    }
    setenv("SLURM_CONF", (*root_ / "cluster" / "slurm.conf").c_str(), 1);
  }
  static void TearDownTestSuite() {
    shell("bash " + std::string(DLMEVAL_SOURCE_DIR) + "/tests/slurm/local_cluster.sh stop " + (*root_ / "cluster").string());
    fs::remove_all(*root_);
    delete root_;
    delete skip_reason_;
  }
  void SetUp() override {
    if (skip_reason_) GTEST_SKIP() << "Slurm cannot start here: " << *skip_reason_;
    if (model_.empty()) {
      model_ = test::tiny_model_with_tokenizer(*root_);
      const auto protocols = test::write_tiny_protocols(*root_);
      run_args_ = "--model " + model_ + " --tasks gsm8k,arc_easy --num-fewshot 0 --protocol " + protocols.gen +
                  " --protocol " + protocols.choice + " --limit 6 --batch-size 2 --threads 1 --data-dir " +
                  test::data_dir();
      const auto reference = test::run_dlmeval("run " + run_args_ + " --quiet --out " + (*root_ / "reference").string());
      ASSERT_EQ(reference.exit_code, 0) << reference.output;
    }
  }

  // Waits until squeue no longer lists `job`.
  static void wait_for(const std::string& job) {
    for (int i = 0; i < 600; ++i) {
      const auto q = shell("squeue -h -j " + job);
      if (q.output.find_first_not_of(" \n") == std::string::npos || q.exit_code != 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    FAIL() << "job " << job << " still queued after 300 s";
  }

  static Json last_round(const fs::path& run) { return read_json_file((run / "slurm" / "submission.json").string())["rounds"].back(); }

  // doc -> the fields of a sample that cannot depend on how the run was split.
  static std::map<std::string, Json> samples(const fs::path& dir) {
    std::map<std::string, Json> out;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".jsonl") continue;
      for (const auto& r : read_jsonl_file(entry.path().string()))
        out[entry.path().filename().string() + "/" + r["doc_id"].get<std::string>()] = {
            r["resps"], r["metrics"], r["prompt_hash"], r["seed"]};
    }
    return out;
  }

  static std::string submit(const fs::path& run, const std::string& extra = "") {
    const auto r = test::run_dlmeval("slurm submit --out " + run.string() + " --shards 3 " + extra + " -- " + run_args_);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return last_round(run)["array_job"].get<std::string>();
  }

  // Submits held, cancels shard 1, releases the rest and waits for the merge of what finished.
  static void submit_with_shard_1_cancelled(const fs::path& run) {
    const std::string array = submit(run, "--sbatch-line=--hold");
    EXPECT_EQ(shell("scancel " + array + "_1").exit_code, 0);
    EXPECT_EQ(shell("scontrol release " + array).exit_code, 0);
    wait_for(last_round(run)["merge_job"].get<std::string>());
  }

  static inline fs::path* root_ = nullptr;
  static inline std::string* skip_reason_ = nullptr;
  static inline std::string model_, run_args_;
};

TEST_F(SlurmCluster, ThreeShardArrayMergesIntoTheUnshardedRun) {
  const fs::path run = *root_ / "three";
  submit(run);
  wait_for(last_round(run)["merge_job"].get<std::string>());
  const auto status = test::run_dlmeval("slurm status " + run.string());
  EXPECT_NE(status.output.find("3 of 3 shards done"), std::string::npos) << status.output;
  ASSERT_TRUE(fs::exists(run / "merged" / "manifest.json")) << shell("cat " + (run / "slurm" / "logs").string() + "/*").output;
  EXPECT_FALSE(read_json_file((run / "merged" / "manifest.json").string())["extra"].contains("incomplete"));
  EXPECT_EQ(samples(run / "merged"), samples(*root_ / "reference"));
  // The scripts are plain: the shard script runs dlmeval run on its shard.
  const std::string script = read_file_bytes(last_round(run)["shards_script"].get<std::string>());
  EXPECT_NE(script.find("#SBATCH --array=0,1,2"), std::string::npos) << script;
  EXPECT_NE(script.find("--shard \"$SLURM_ARRAY_TASK_ID/3\""), std::string::npos) << script;
}

TEST_F(SlurmCluster, CancelledShardIsResubmittedAndTheMergeCompletes) {
  const fs::path run = *root_ / "cancelled";
  submit_with_shard_1_cancelled(run);
  const Json merged = read_json_file((run / "merged" / "manifest.json").string());
  ASSERT_TRUE(merged["extra"].contains("incomplete")) << merged.dump(1);
  EXPECT_NE(merged["extra"]["incomplete"].dump().find("missing shard(s) 1 of 3"), std::string::npos);
  const auto status = test::run_dlmeval("slurm status " + run.string());
  EXPECT_NE(status.output.find("2 of 3 shards done"), std::string::npos) << status.output;
  const auto again = test::run_dlmeval("slurm resubmit " + run.string());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(last_round(run)["indices"], Json::array({1}));
  wait_for(last_round(run)["merge_job"].get<std::string>());
  EXPECT_FALSE(read_json_file((run / "merged" / "manifest.json").string())["extra"].contains("incomplete"));
  EXPECT_EQ(samples(run / "merged"), samples(*root_ / "reference"));
}

TEST_F(SlurmCluster, RunBegunOnThreeShardsIsFinishedOnTwo) {
  const fs::path run = *root_ / "resplit";
  submit_with_shard_1_cancelled(run);
  const auto again = test::run_dlmeval("slurm resubmit " + run.string() + " --shards 2");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(last_round(run)["completed_from"].size(), 2u);
  wait_for(last_round(run)["merge_job"].get<std::string>());
  ASSERT_TRUE(fs::exists(run / "merged" / "manifest.json"));
  EXPECT_FALSE(read_json_file((run / "merged" / "manifest.json").string())["extra"].contains("incomplete"));
  EXPECT_EQ(samples(run / "merged"), samples(*root_ / "reference"));
  // The two new shards ran only what the cancelled one had left.
  const std::string logs = shell("cat " + (run / "slurm" / "logs").string() + "/shard-*-of-2-round2.out").output;
  EXPECT_NE(logs.find("taken over"), std::string::npos) << logs;
  EXPECT_EQ(logs.find(" 0 taken over"), std::string::npos) << logs;
}

}  // namespace
