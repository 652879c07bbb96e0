// `--shard auto`: the shard and device each launcher's environment gives.
#include <gtest/gtest.h>

#include <map>

#include "harness/core/error.h"
#include "harness/launcher_shard.h"

namespace dlmeval {
namespace {

LauncherShard from(const std::map<std::string, std::string>& env) {
  return shard_from_environment([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(LauncherShard, EachLauncherGivesItsShard) {
  EXPECT_EQ(from({}).shard, (ShardSpec{0, 1}));
  EXPECT_EQ(from({}).source, "none");
  // A Slurm array: the task id counts from the array's minimum, in steps.
  EXPECT_EQ(from({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "0"}}).shard,
            (ShardSpec{2, 4}));
  EXPECT_EQ(from({{"SLURM_ARRAY_TASK_ID", "7"}, {"SLURM_ARRAY_TASK_COUNT", "3"}, {"SLURM_ARRAY_TASK_MIN", "5"}}).shard,
            (ShardSpec{2, 3}));
  EXPECT_EQ(from({{"SLURM_ARRAY_TASK_ID", "14"}, {"SLURM_ARRAY_TASK_COUNT", "3"}, {"SLURM_ARRAY_TASK_MIN", "10"},
                  {"SLURM_ARRAY_TASK_STEP", "2"}})
                .shard,
            (ShardSpec{2, 3}));
  // The array wins over the step variables Slurm also sets inside an array task.
  EXPECT_EQ(from({{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "2"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}})
                .source,
            "SLURM_ARRAY_TASK_ID");
  EXPECT_EQ(from({{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"}}).shard, (ShardSpec{3, 8}));
  EXPECT_EQ(from({{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"}}).local_rank, 1);
  EXPECT_EQ(from({{"RANK", "5"}, {"WORLD_SIZE", "6"}, {"LOCAL_RANK", "1"}}).shard, (ShardSpec{5, 6}));
  EXPECT_EQ(from({{"OMPI_COMM_WORLD_RANK", "0"}, {"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "0"}}).shard,
            (ShardSpec{0, 2}));
}

TEST(LauncherShard, InconsistentVariablesAreErrors) {
  EXPECT_THROW(from({{"RANK", "6"}, {"WORLD_SIZE", "6"}}), UserError);
  EXPECT_THROW(from({{"RANK", "1"}}), UserError);
  EXPECT_THROW(from({{"SLURM_ARRAY_TASK_ID", "1"}}), UserError);
  EXPECT_THROW(from({{"SLURM_ARRAY_TASK_ID", "x"}, {"SLURM_ARRAY_TASK_COUNT", "2"}}), UserError);
  EXPECT_THROW(from({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "2"}, {"SLURM_ARRAY_TASK_STEP", "2"}}),
               UserError);
}

TEST(LauncherShard, DeviceFollowsTheLocalRank) {
  EXPECT_EQ(device_for_local_rank("cuda", 3), "cuda:3");
  EXPECT_EQ(device_for_local_rank("cuda", std::nullopt), "cuda");
  EXPECT_EQ(device_for_local_rank("cuda:1", 3), "cuda:1");
  EXPECT_EQ(device_for_local_rank("cpu", 3), "cpu");
}

}  // namespace
}  // namespace dlmeval
