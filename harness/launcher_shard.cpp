#include "harness/launcher_shard.h"

#include <cstdlib>

#include "harness/core/error.h"
#include "harness/evaluation_run.h"

namespace dlmeval {
namespace {

std::optional<long> number(const EnvironmentLookup& env, const char* name) {
  const char* value = env(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  char* end = nullptr;
  const long n = std::strtol(value, &end, 10);
  if (*end != '\0') throw UserError(std::string(name) + "=" + value + " is not an integer");
  return n;
}

ShardSpec checked(long index, long count, const std::string& source) {
  if (count < 1 || index < 0 || index >= count)
    throw UserError("--shard auto: " + source + " gives shard " + std::to_string(index) + " of " +
                    std::to_string(count) + ", which is not a shard");
  return ShardSpec{static_cast<int>(index), static_cast<int>(count)};
}

}  // namespace

LauncherShard shard_from_environment(const EnvironmentLookup& env) {
  LauncherShard out;
  for (const char* name : {"SLURM_LOCALID", "LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK"}) {
    if (auto rank = number(env, name)) {
      out.local_rank = static_cast<int>(*rank);
      break;
    }
  }
  if (auto id = number(env, "SLURM_ARRAY_TASK_ID")) {
    const auto count = number(env, "SLURM_ARRAY_TASK_COUNT");
    if (!count) throw UserError("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
    const long min = number(env, "SLURM_ARRAY_TASK_MIN").value_or(0);
    const long step = number(env, "SLURM_ARRAY_TASK_STEP").value_or(1);
    if (step < 1 || (*id - min) % step != 0)
      throw UserError("--shard auto: SLURM_ARRAY_TASK_ID " + std::to_string(*id) + " is not on the array's step");
    out.shard = checked((*id - min) / step, *count, "SLURM_ARRAY_TASK_ID");
    out.source = "SLURM_ARRAY_TASK_ID";
    return out;
  }
  const std::pair<const char*, const char*> pairs[] = {
      {"SLURM_PROCID", "SLURM_NTASKS"}, {"RANK", "WORLD_SIZE"}, {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"}};
  for (const auto& [rank_name, size_name] : pairs) {
    const auto rank = number(env, rank_name);
    const auto size = number(env, size_name);
    if (!rank && !size) continue;
    if (!rank || !size) throw UserError(std::string("--shard auto: ") + (rank ? size_name : rank_name) + " is missing");
    out.shard = checked(*rank, *size, rank_name);
    out.source = rank_name;
    return out;
  }
  out.source = "none";
  return out;
}

ShardSpec resolve_shard_option(const std::string& text) {
  if (text != "auto") return parse_shard(text);
  return shard_from_environment([](const char* name) { return std::getenv(name); }).shard;
}

std::string device_for_local_rank(const std::string& device, const std::optional<int>& local_rank) {
  if (device == "cuda" && local_rank) return "cuda:" + std::to_string(*local_rank);
  return device;
}

}  // namespace dlmeval
