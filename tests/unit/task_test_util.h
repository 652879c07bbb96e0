#pragma once
// Helpers shared by the task tests: the shipped data directory and a scratch directory.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tasks/task.h"

namespace dlmeval::test {

inline std::string shipped_data_dir() { return std::string(DLMEVAL_SHARED_DIR) + "/data"; }

inline TaskOptions shipped_options(std::optional<size_t> limit = std::nullopt) {
  TaskOptions options;
  options.data_dir = shipped_data_dir();
  options.limit = limit;
  return options;
}

// A fresh empty directory under the system temp dir, removed when the object goes away. Named by
// process id and a counter: ctest runs tests in parallel processes, where the same object address
// (the old name) comes up in two of them at once.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) {
    path_ = std::filesystem::temp_directory_path() /
            ("dlmeval-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(next_id()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  static int next_id() {
    static int id = 0;
    return ++id;
  }
  std::filesystem::path path_;
};

}  // namespace dlmeval::test
