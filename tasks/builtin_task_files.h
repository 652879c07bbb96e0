#pragma once
// The task definitions shipped in tasks/definitions, compiled into the binary.
#include <string>
#include <vector>

namespace dlmeval {

struct BuiltinTaskFile {
  const char* file_name;  // e.g. "arc_easy.yaml"
  const char* content;
};

const std::vector<BuiltinTaskFile>& builtin_task_files();

}  // namespace dlmeval
