#pragma once
// Task files: a benchmark described as data, in the spirit of lm-eval's task YAML (JSON works
// too). The keys, their defaults and what dlmeval refuses are documented in tasks/README.md;
// loading checks every key, so a typo is an error before any model work, not a silent default.
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

struct TaskDefinition {
  std::string name;    // the `task` key
  std::string origin;  // the file it came from ("builtin:arc_easy.yaml" for a shipped one)
  std::string base_dir;  // folder of the file: paths starting with ./ or ../ are relative to it
  Json config;         // every key after `include`s are merged, as written (YAML types resolved)
  // sha256 of config's canonical JSON: two runs with the same definition have the same one.
  std::string sha256;
};

// Parses a YAML or JSON task file. `include: other.yaml` merges that file first (relative to this
// one; this file's keys win, as in lm-eval). UserError naming the file for malformed YAML, an
// include cycle, a `!function` tag (Python code dlmeval cannot run), an unknown key or a
// missing required one.
TaskDefinition load_task_definition(const std::string& path);
// The same for text already in memory (`origin` labels messages; includes resolve in `base_dir`).
TaskDefinition parse_task_definition(const std::string& text, const std::string& origin, const std::string& base_dir);

// The shipped definitions (tasks/definitions), parsed once.
const std::vector<TaskDefinition>& builtin_task_definitions();
// Task files given by the user: each path is a file, or a folder whose *.yaml, *.yml and *.json
// files (not recursive, sorted) are read. UserError when two define the same task.
std::vector<TaskDefinition> load_task_definitions(const std::vector<std::string>& paths);

// YAML text to JSON with PyYAML's (YAML 1.1) scalar rules, as lm-eval reads its files: plain
// scalars become null, booleans (true/yes/on, ...), integers or floats where they look like one;
// quoted scalars stay strings. Exposed for tests.
Json yaml_to_json(const std::string& text, const std::string& origin);

}  // namespace dlmeval
