#include "harness/device_workers.h"

#include "harness/core/omp_env.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "harness/core/error.h"
#include "harness/progress.h"
#include "results/merge.h"

extern char** environ;

namespace fs = std::filesystem;

namespace dlmeval {
namespace {

// Lines appended to the shard folders' sample files since the last call.
class SampleCounter {
 public:
  explicit SampleCounter(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}
  size_t new_lines() {
    size_t lines = 0;
    for (const auto& dir : dirs_) {
      std::error_code ec;
      if (!fs::is_directory(dir, ec)) continue;
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".jsonl") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        size_t& offset = offsets_[entry.path().string()];
        in.seekg(static_cast<std::streamoff>(offset));
        char buffer[65536];
        while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
          for (std::streamsize i = 0; i < in.gcount(); ++i) lines += buffer[i] == '\n';
          offset += static_cast<size_t>(in.gcount());
        }
      }
    }
    return lines;
  }

 private:
  std::vector<std::string> dirs_;
  std::map<std::string, size_t> offsets_;
};

pid_t spawn(const std::string& binary, const std::vector<std::string>& args, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  passive_omp_wait_for_children();  // the workers share this node's cores
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw UserError("cannot start worker " + binary + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

std::vector<std::string> parse_devices(const std::string& text, int cuda_devices) {
  std::vector<std::string> out;
  if (text == "all") {
    if (cuda_devices < 1) throw UserError("--devices all: this machine (or this build) has no CUDA device");
    for (int i = 0; i < cuda_devices; ++i) out.push_back("cuda:" + std::to_string(i));
    return out;
  }
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string device = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (device.empty()) throw UserError("--devices: empty entry in \"" + text + "\"");
    out.push_back(device);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> worker_arguments(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool dropped = false;
    for (const char* name : {"--devices", "--out", "--shard", "--device"}) {
      const std::string n = name;
      if (a == n) {
        ++i;  // and its value
        dropped = true;
      } else if (a.rfind(n + "=", 0) == 0) {
        dropped = true;
      }
      if (dropped) break;
    }
    if (!dropped && a != "--quiet") out.push_back(a);
  }
  return out;
}

RunManifest run_on_devices(const DeviceWorkers& w) {
  if (w.devices.empty()) throw UserError("--devices names no device");
  const int count = static_cast<int>(w.devices.size());
  std::vector<std::string> dirs;
  std::vector<pid_t> pids;
  for (int i = 0; i < count; ++i) {
    const std::string dir =
        (fs::path(w.run_dir) / "shards" / (std::to_string(i) + "-of-" + std::to_string(count))).string();
    fs::create_directories(fs::path(dir).parent_path());
    std::vector<std::string> args = {"run"};
    args.insert(args.end(), w.run_args.begin(), w.run_args.end());
    args.insert(args.end(), {"--quiet", "--device", w.devices[static_cast<size_t>(i)], "--shard",
                             std::to_string(i) + "/" + std::to_string(count), "--out", dir});
    dirs.push_back(dir);
    pids.push_back(spawn(w.binary, args, dir + ".log"));
  }
  std::unique_ptr<Progress> progress;
  if (!w.quiet) progress = std::make_unique<Progress>("run on " + std::to_string(count) + " devices", w.total_docs);
  SampleCounter counter(dirs);
  // Lines already there from an earlier, interrupted invocation count as done.
  if (progress) progress->advance(counter.new_lines());
  std::vector<int> exit_codes(pids.size(), -1);
  size_t running = pids.size();
  while (running > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (size_t i = 0; i < pids.size(); ++i) {
      if (exit_codes[i] != -1) continue;
      int status = 0;
      if (waitpid(pids[i], &status, WNOHANG) == pids[i]) {
        exit_codes[i] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        --running;
      }
    }
    if (progress) progress->advance(counter.new_lines());
  }
  if (progress) progress->finish();
  for (size_t i = 0; i < pids.size(); ++i) {
    if (exit_codes[i] != 0)
      throw UserError("shard " + std::to_string(i) + "/" + std::to_string(count) + " on " + w.devices[i] +
                      " failed (exit " + std::to_string(exit_codes[i]) + "; see " + dirs[i] +
                      ".log); run the same command again to resume");
  }
  const std::string merged = (fs::path(w.run_dir) / "merged").string();
  if (fs::exists(merged)) fs::remove_all(merged);  // an earlier merge of these same shards
  return merge_shards(dirs, merged);
}

}  // namespace dlmeval
