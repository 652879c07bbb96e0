#include "tasks/task_definition.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "harness/core/error.h"
#include "harness/core/hash.h"
#include "harness/core/utf8.h"
#include "tasks/builtin_task_files.h"

namespace fs = std::filesystem;

namespace dlmeval {
namespace {

// Keys a task file may hold. Those in kIgnoredKeys are lm-eval's and describe where lm-eval finds
// the data or how it groups tasks; they are kept in the recorded definition but change nothing.
const std::set<std::string> kKeys = {
    "task", "summary", "include", "output_type", "dataset_files", "test_split", "fewshot_split", "training_split",
    "validation_split", "doc_id", "description", "doc_to_text", "doc_to_target", "doc_to_choice", "target_delimiter",
    "fewshot_delimiter", "num_fewshot", "fewshot_config", "generation_kwargs", "repeats", "filter_list", "metric_list",
    "metadata", "version"};
const std::set<std::string> kIgnoredKeys = {"tag", "group", "dataset_path", "dataset_name", "dataset_kwargs",
                                            "should_decontaminate", "doc_to_decontamination_query", "task_alias",
                                            "group_alias"};

bool matches(const std::string& s, const char* pattern) { return std::regex_match(s, std::regex(pattern)); }

// PyYAML's implicit resolvers for plain scalars (YAML 1.1).
Json resolve_plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (matches(s, "yes|Yes|YES|true|True|TRUE|on|On|ON")) return true;
  if (matches(s, "no|No|NO|false|False|FALSE|off|Off|OFF")) return false;
  if (matches(s, "[-+]?(0|[1-9][0-9_]*)")) {
    std::string digits;
    for (char c : s)
      if (c != '_') digits += c;
    try {
      return static_cast<int64_t>(std::stoll(digits));
    } catch (const std::out_of_range&) {
      return s;
    }
  }
  if (matches(s, "[-+]?0x[0-9a-fA-F_]+")) {
    std::string digits;
    for (char c : s)
      if (c != '_') digits += c;
    try {
      return static_cast<int64_t>(std::stoll(digits, nullptr, 16));
    } catch (const std::out_of_range&) {
      return s;
    }
  }
  if (matches(s, "[-+]?([0-9][0-9_]*)?\\.[0-9.]*([eE][-+][0-9]+)?") && s != "." && s.find('.') == s.rfind('.')) {
    std::string digits;
    for (char c : s)
      if (c != '_') digits += c;
    try {
      return std::stod(digits);
    } catch (const std::exception&) {
      return s;
    }
  }
  if (matches(s, "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"))
    throw UserError("infinite or NaN number \"" + s + "\" in a task file");
  return s;
}

Json to_json(const YAML::Node& node, const std::string& origin, const std::string& path, int depth) {
  if (depth > 64) throw UserError(origin + ": nesting deeper than 64 levels");
  const std::string& tag = node.Tag();
  if (tag == "!function")
    throw UserError(origin + ": " + path + " is a !function (Python code), which dlmeval cannot run; "
                    "write it as a template or filter, or keep the task in C++");
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted scalars "!" and plain ones "?".
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return node.Scalar();
      return resolve_plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (size_t i = 0; i < node.size(); ++i)
        out.push_back(to_json(node[i], origin, path + "[" + std::to_string(i) + "]", depth + 1));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) throw UserError(origin + ": " + path + " has a key that is not a plain value");
        const std::string key = kv.first.Scalar();
        if (out.contains(key)) throw UserError(origin + ": " + path + " has the key \"" + key + "\" twice");
        out[key] = to_json(kv.second, origin, path.empty() ? key : path + "." + key, depth + 1);
      }
      return out;
    }
  }
  return nullptr;
}

bool looks_like_json(const std::string& origin) {
  const std::string ext = fs::path(origin).extension().string();
  return ext == ".json";
}

Json parse_text(const std::string& text, const std::string& origin) {
  if (looks_like_json(origin)) {
    try {
      return Json::parse(text);
    } catch (const Json::exception& e) {
      throw UserError(origin + ": malformed JSON: " + e.what());
    }
  }
  return yaml_to_json(text, origin);
}

void check_keys(const Json& config, const std::string& origin) {
  for (const auto& [key, value] : config.items()) {
    if (kKeys.count(key) || kIgnoredKeys.count(key)) continue;
    if (key == "process_docs" || key == "process_results" || key == "use_prompt")
      throw UserError(origin + ": \"" + key + "\" needs Python code, which dlmeval cannot run");
    throw UserError(origin + ": unknown key \"" + key + "\" (tasks/README.md lists the keys of a task file)");
  }
}

Json load_with_includes(const std::string& text, const std::string& origin, const std::string& base_dir,
                        std::vector<std::string>& chain) {
  Json config = parse_text(text, origin);
  if (!config.is_object()) throw UserError(origin + ": a task file must be a mapping of keys to values");
  if (!config.contains("include")) return config;
  if (!config["include"].is_string()) throw UserError(origin + ": \"include\" must name one file");
  const fs::path included = fs::path(base_dir) / config["include"].get<std::string>();
  const std::string canonical = fs::weakly_canonical(included).string();
  if (std::find(chain.begin(), chain.end(), canonical) != chain.end())
    throw UserError(origin + ": include cycle through " + included.string());
  if (chain.size() > 16) throw UserError(origin + ": includes nest deeper than 16 files");
  std::error_code ec;
  if (!fs::is_regular_file(included, ec)) throw UserError(origin + ": included file " + included.string() + " not found");
  chain.push_back(canonical);
  Json base = load_with_includes(read_file_bytes(included.string()), included.string(),
                                 included.parent_path().string(), chain);
  chain.pop_back();
  config.erase("include");
  for (auto& [key, value] : config.items()) base[key] = value;
  return base;
}

}  // namespace

Json yaml_to_json(const std::string& text, const std::string& origin) {
  // Every string of the file ends up in JSON (the recorded definition, its hash), which holds
  // UTF-8 only.
  if (!is_valid_utf8(text)) throw UserError(origin + ": a task file must be UTF-8 text");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw UserError(origin + ": malformed YAML: " + e.what());
  }
  return to_json(root, origin, "", 0);
}

TaskDefinition parse_task_definition(const std::string& text, const std::string& origin, const std::string& base_dir) {
  std::vector<std::string> chain;
  TaskDefinition definition;
  definition.config = load_with_includes(text, origin, base_dir, chain);
  check_keys(definition.config, origin);
  definition.origin = origin;
  definition.base_dir = base_dir;
  const Json& config = definition.config;
  if (!config.contains("task") || !config["task"].is_string())
    throw UserError(origin + ": needs a string \"task\" (the task's name)");
  definition.name = config["task"].get<std::string>();
  if (!matches(definition.name, "[A-Za-z0-9][A-Za-z0-9_.-]*"))
    throw UserError(origin + ": task name \"" + definition.name + "\" may hold only letters, digits, '_', '.' and '-'");
  for (const char* required : {"output_type", "dataset_files", "test_split", "doc_to_text", "doc_to_target"})
    if (!config.contains(required)) throw UserError(origin + ": needs \"" + std::string(required) + "\"");
  definition.sha256 = sha256_hex(config.dump());
  return definition;
}

TaskDefinition load_task_definition(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw UserError(path + ": task file not found");
  return parse_task_definition(read_file_bytes(path), path, fs::path(path).parent_path().string());
}

const std::vector<TaskDefinition>& builtin_task_definitions() {
  static const std::vector<TaskDefinition> definitions = [] {
    std::vector<TaskDefinition> out;
    for (const BuiltinTaskFile& file : builtin_task_files())
      out.push_back(parse_task_definition(file.content, std::string("builtin:") + file.file_name, ""));
    return out;
  }();
  return definitions;
}

std::vector<TaskDefinition> load_task_definitions(const std::vector<std::string>& paths) {
  std::vector<TaskDefinition> out;
  for (const std::string& path : paths) {
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(path, ec)) {
      for (const auto& entry : fs::directory_iterator(path)) {
        const std::string ext = entry.path().extension().string();
        // lm-eval names the shared bases of a folder _something; they are included, not tasks.
        const bool base = entry.path().filename().string().rfind("_", 0) == 0;
        if (entry.is_regular_file() && !base && (ext == ".yaml" || ext == ".yml" || ext == ".json"))
          files.push_back(entry.path().string());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    for (const std::string& file : files) {
      TaskDefinition definition = load_task_definition(file);
      for (const TaskDefinition& seen : out)
        if (seen.name == definition.name)
          throw UserError(file + ": defines task \"" + definition.name + "\", which " + seen.origin + " defines too");
      out.push_back(std::move(definition));
    }
  }
  return out;
}

}  // namespace dlmeval
