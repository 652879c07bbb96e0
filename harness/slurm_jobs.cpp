#include "harness/slurm_jobs.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "harness/core/error.h"
#include "results/manifest.h"

namespace fs = std::filesystem;

namespace dlmeval {
namespace {

std::string shard_dir(const std::string& run_dir, int index, int count) {
  return (fs::path(run_dir) / "shards" / (std::to_string(index) + "-of-" + std::to_string(count))).string();
}

std::string submission_path(const std::string& run_dir) { return (fs::path(run_dir) / "slurm" / "submission.json").string(); }

// Runs a command, returning its stdout; UserError with its output when it fails.
std::string run_command(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw UserError("cannot run " + command);
  std::string out;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe)) out += buffer.data();
  const int status = pclose(pipe);
  if (status != 0) throw UserError(command + " failed: " + out);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// The merge job runs where the shards run (partition, account, QOS) but asks for no GPU, no
// shard's time or memory and none of the shards' extra lines.
SlurmOptions merge_job_options(const SlurmOptions& shards) {
  SlurmOptions merge;
  merge.partition = shards.partition;
  merge.account = shards.account;
  merge.qos = shards.qos;
  return merge;
}

std::string sbatch_header(const SlurmOptions& o, const std::string& name, const std::string& log) {
  std::string h = "#!/bin/bash\n#SBATCH --job-name=" + name + "\n#SBATCH --output=" + log + "\n";
  if (!o.partition.empty()) h += "#SBATCH --partition=" + o.partition + "\n";
  if (!o.account.empty()) h += "#SBATCH --account=" + o.account + "\n";
  if (!o.qos.empty()) h += "#SBATCH --qos=" + o.qos + "\n";
  if (!o.time.empty()) h += "#SBATCH --time=" + o.time + "\n";
  if (!o.mem.empty()) h += "#SBATCH --mem=" + o.mem + "\n";
  if (o.cpus_per_task > 0) h += "#SBATCH --cpus-per-task=" + std::to_string(o.cpus_per_task) + "\n";
  if (o.gpus_per_task > 0) h += "#SBATCH --gpus-per-task=" + std::to_string(o.gpus_per_task) + "\n";
  for (const auto& line : o.sbatch_lines) h += (line.rfind("#SBATCH", 0) == 0 ? line : "#SBATCH " + line) + "\n";
  return h;
}

std::string this_binary() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw UserError("cannot find the dlmeval binary (/proc/self/exe); give --dlmeval");
  return self.string();
}

void write_script(const std::string& path, const std::string& text) {
  write_text_file_atomic(path, text);
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
}

std::string array_spec(const std::vector<int>& indices, int throttle) {
  std::string spec;
  for (int i : indices) spec += (spec.empty() ? "" : ",") + std::to_string(i);
  if (throttle > 0) spec += "%" + std::to_string(throttle);
  return spec;
}

// Writes and submits the array over `indices` of a `count`-way split and the merge job after it.
Json submit_jobs(const std::string& run_dir, int count, const std::vector<int>& indices,
                 const std::vector<std::string>& run_args, const std::vector<std::string>& completed_from,
                 const SlurmOptions& options, const std::string& binary, int round) {
  const fs::path slurm = fs::path(run_dir) / "slurm";
  fs::create_directories(slurm / "logs");
  fs::create_directories(fs::path(run_dir) / "shards");
  const std::string label = fs::absolute(run_dir).filename().string();
  const std::string tag = std::to_string(count) + "-way-round" + std::to_string(round);

  std::string shards = sbatch_header(options, "dlmeval-" + label,
                                     (slurm / "logs" / ("shard-%a-of-" + std::to_string(count) + "-round" +
                                                        std::to_string(round) + ".out")).string());
  shards += "#SBATCH --array=" + array_spec(indices, options.array_throttle) + "\n";
  shards += "# Shard $SLURM_ARRAY_TASK_ID of a " + std::to_string(count) + "-way split of this run (dlmeval slurm submit).\n";
  shards += "set -euo pipefail\n";
  shards += "exec " + shell_quote(binary) + " run";
  for (const auto& a : run_args) shards += " " + shell_quote(a);
  for (const auto& dir : completed_from) shards += " --completed-from " + shell_quote(dir);
  shards += " --quiet --shard \"$SLURM_ARRAY_TASK_ID/" + std::to_string(count) + "\" --out " +
            shell_quote((fs::path(run_dir) / "shards").string() + "/") + "\"$SLURM_ARRAY_TASK_ID-of-" +
            std::to_string(count) + "\"\n";
  const std::string shards_script = (slurm / ("shards-" + tag + ".sbatch")).string();
  write_script(shards_script, shards);

  std::string merge = sbatch_header(merge_job_options(options),
                                    "dlmeval-merge-" + label, (slurm / "logs" / ("merge-" + tag + ".out")).string());
  merge += "# Merges the shards that finished (dlmeval slurm submit); gaps are listed in merged/manifest.json.\n";
  merge += "set -uo pipefail\nshards=()\nfor i in $(seq 0 " + std::to_string(count - 1) + "); do\n";
  merge += "  d=" + shell_quote((fs::path(run_dir) / "shards").string() + "/") + "\"$i-of-" + std::to_string(count) + "\"\n";
  merge += "  [ -f \"$d/manifest.json\" ] && shards+=(\"$d\")\ndone\n";
  merge += "exec " + shell_quote(binary) + " merge --allow-incomplete --replace --out " +
           shell_quote((fs::path(run_dir) / "merged").string()) + " \"${shards[@]}\"\n";
  const std::string merge_script = (slurm / ("merge-" + tag + ".sbatch")).string();
  write_script(merge_script, merge);

  const std::string array_job = run_command("sbatch --parsable " + shell_quote(shards_script));
  const std::string array_id = array_job.substr(0, array_job.find(';'));
  const std::string merge_job =
      run_command("sbatch --parsable --dependency=afterany:" + array_id + " " + shell_quote(merge_script));
  return Json{{"round", round},
              {"shards", count},
              {"indices", indices},
              {"array_job", array_id},
              {"merge_job", merge_job.substr(0, merge_job.find(';'))},
              {"shards_script", shards_script},
              {"merge_script", merge_script},
              {"completed_from", completed_from},
              {"submitted_at", utc_timestamp_now()}};
}

Json read_submission(const std::string& run_dir) {
  const std::string path = submission_path(run_dir);
  if (!fs::exists(path)) throw UserError(run_dir + ": no Slurm submission here (" + path + " missing)");
  return read_json_file(path);
}

bool shard_finished(const std::string& dir) {
  if (!fs::exists(manifest_path(dir))) return false;
  return !read_manifest(dir).finished_at.empty();
}

// Array index -> state, for the array job's tasks squeue still knows.
std::map<int, std::string> queued_states(const std::string& array_job) {
  std::map<int, std::string> out;
  std::string listing;
  try {
    listing = run_command("squeue -h -r -j " + shell_quote(array_job) + " -o '%K %T'");
  } catch (const UserError&) {
    return out;  // the job is gone from the queue
  }
  std::istringstream in(listing);
  std::string index, state;
  while (in >> index >> state) {
    try {
      out[std::stoi(index)] = state;
    } catch (const std::exception&) {
    }
  }
  return out;
}

}  // namespace

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Json slurm_submit(const std::string& run_dir, int shards, const std::vector<std::string>& run_args,
                  const SlurmOptions& options) {
  if (shards < 1) throw UserError("--shards must be at least 1");
  for (const auto& a : run_args)
    if (a == "--out" || a.rfind("--out=", 0) == 0 || a == "--shard" || a.rfind("--shard=", 0) == 0 || a == "--completed-from")
      throw UserError("the run arguments after -- may not hold " + a + ": dlmeval slurm sets it per shard");
  if (fs::exists(submission_path(run_dir)))
    throw UserError(run_dir + ": already submitted; use dlmeval slurm status / resubmit");
  const std::string binary = options.dlmeval_binary.empty() ? this_binary() : options.dlmeval_binary;
  std::vector<int> indices;
  for (int i = 0; i < shards; ++i) indices.push_back(i);
  Json round = submit_jobs(run_dir, shards, indices, run_args, {}, options, binary, 1);
  Json submission = {{"run_args", run_args}, {"dlmeval", binary}, {"shards", shards}, {"rounds", Json::array({round})}};
  write_json_file_atomic(submission_path(run_dir), submission, 2);
  return submission;
}

std::vector<ShardState> slurm_status(const std::string& run_dir) {
  const Json submission = read_submission(run_dir);
  const int count = submission["shards"].get<int>();
  const Json& last = submission["rounds"].back();
  const auto queued = queued_states(last["array_job"].get<std::string>());
  std::vector<ShardState> out;
  for (int i = 0; i < count; ++i) {
    ShardState s;
    s.index = i;
    s.dir = shard_dir(run_dir, i, count);
    if (shard_finished(s.dir)) {
      s.state = "done";
    } else if (auto it = queued.find(i); it != queued.end()) {
      s.state = it->second == "PENDING" ? "pending" : "running";
    } else {
      s.state = fs::exists(s.dir) ? "failed" : "not started";
    }
    out.push_back(s);
  }
  return out;
}

Json slurm_resubmit(const std::string& run_dir, std::optional<int> shards, const SlurmOptions& options) {
  Json submission = read_submission(run_dir);
  const int old_count = submission["shards"].get<int>();
  const int count = shards.value_or(old_count);
  if (count < 1) throw UserError("--shards must be at least 1");
  std::vector<std::string> run_args = submission["run_args"].get<std::vector<std::string>>();
  const std::string binary =
      options.dlmeval_binary.empty() ? submission["dlmeval"].get<std::string>() : options.dlmeval_binary;
  std::vector<int> indices;
  std::vector<std::string> completed_from;
  if (count == old_count) {
    for (const ShardState& s : slurm_status(run_dir)) {
      if (s.state == "running" || s.state == "pending")
        throw UserError("shard " + std::to_string(s.index) + " is still " + s.state + "; wait for it or scancel it first");
      if (s.state != "done") indices.push_back(s.index);
    }
    if (indices.empty()) throw UserError(run_dir + ": every shard is done; nothing to resubmit");
  } else {
    for (const ShardState& s : slurm_status(run_dir))
      if (s.state == "running" || s.state == "pending")
        throw UserError("shard " + std::to_string(s.index) + " is still " + s.state + "; wait for it or scancel it first");
    // Every shard folder of every earlier split gives its finished docs to the new shards.
    for (const auto& entry : fs::directory_iterator(fs::path(run_dir) / "shards"))
      if (entry.is_directory() && fs::exists(manifest_path(entry.path().string())) &&
          entry.path().filename().string().find("-of-" + std::to_string(count)) == std::string::npos)
        completed_from.push_back(entry.path().string());
    std::sort(completed_from.begin(), completed_from.end());
    for (int i = 0; i < count; ++i) indices.push_back(i);
  }
  const int round = static_cast<int>(submission["rounds"].size()) + 1;
  submission["rounds"].push_back(submit_jobs(run_dir, count, indices, run_args, completed_from, options, binary, round));
  submission["shards"] = count;
  write_json_file_atomic(submission_path(run_dir), submission, 2);
  return submission;
}

}  // namespace dlmeval
