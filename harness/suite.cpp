#include "harness/suite.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "harness/core/error.h"
#include "harness/protocol_presets.h"

namespace fs = std::filesystem;

namespace dlmeval {
namespace {

std::string required_string(const Json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty())
    throw UserError(where + ": needs a non-empty string '" + key + "'");
  return j[key].get<std::string>();
}

std::string optional_string(const Json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) return "";
  if (!j[key].is_string()) throw UserError(where + ": '" + key + "' must be a string");
  return j[key].get<std::string>();
}

SuiteEntry parse_entry(const Json& j, const std::string& where) {
  if (!j.is_object()) throw UserError(where + ": must be an object with 'task' and 'protocol'");
  static const std::set<std::string> known = {"task", "protocol", "num_fewshot", "columns", "row", "variant"};
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) throw UserError(where + ": unknown field '" + key + "'");
  SuiteEntry e;
  e.task = required_string(j, "task", where);
  e.protocol = required_string(j, "protocol", where);
  if (j.contains("num_fewshot")) {
    if (!j["num_fewshot"].is_number_integer() || j["num_fewshot"].get<int>() < 0)
      throw UserError(where + ": 'num_fewshot' must be an integer >= 0");
    e.num_fewshot = j["num_fewshot"].get<int>();
  }
  e.row = optional_string(j, "row", where);
  e.variant = optional_string(j, "variant", where);
  if (j.contains("columns")) {
    if (!j["columns"].is_array()) throw UserError(where + ": 'columns' must be an array of strings");
    for (const auto& c : j["columns"]) {
      if (!c.is_string()) throw UserError(where + ": 'columns' must be an array of strings");
      e.columns.push_back(c.get<std::string>());
    }
  }
  return e;
}

fs::path suites_root() { return fs::path(presets_dir()) / "suites"; }

Suite load_suite_file(const fs::path& path) {
  Suite s = Suite::from_json(read_json_file(path.string()), path.string());
  s.source = path.string();
  return s;
}

}  // namespace

Json Suite::to_json() const {
  Json entries_json = Json::array();
  for (const auto& e : entries) {
    Json j = {{"task", e.task}, {"protocol", e.protocol}};
    if (e.num_fewshot) j["num_fewshot"] = *e.num_fewshot;
    if (!e.columns.empty()) j["columns"] = e.columns;
    if (!e.row.empty()) j["row"] = e.row;
    if (!e.variant.empty()) j["variant"] = e.variant;
    entries_json.push_back(j);
  }
  Json j = {{"name", name}, {"entries", entries_json}};
  if (!description.empty()) j["description"] = description;
  if (!paper_table.empty()) j["paper_table"] = paper_table;
  if (!not_covered.empty()) j["not_covered"] = not_covered;
  return j;
}

Suite Suite::from_json(const Json& j, const std::string& where) {
  if (!j.is_object()) throw UserError(where + ": a suite is a JSON object");
  static const std::set<std::string> known = {"name", "description", "paper_table", "entries", "not_covered", "source"};
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) throw UserError(where + ": unknown field '" + key + "'");
  Suite s;
  s.name = required_string(j, "name", where);
  s.description = optional_string(j, "description", where);
  s.paper_table = optional_string(j, "paper_table", where);
  if (!j.contains("entries") || !j["entries"].is_array() || j["entries"].empty())
    throw UserError(where + ": needs a non-empty 'entries' array");
  std::set<std::pair<std::string, std::string>> pairs;
  std::map<std::string, std::optional<int>> shots;
  for (size_t i = 0; i < j["entries"].size(); ++i) {
    const std::string entry_where = where + ": entries[" + std::to_string(i) + "]";
    SuiteEntry e = parse_entry(j["entries"][i], entry_where);
    if (!pairs.insert({e.task, e.protocol}).second)
      throw UserError(entry_where + ": " + e.task + " × " + e.protocol + " is listed twice (give it several 'columns')");
    // One task is built once per run, so its prompts (shots included) are the same in every pair.
    auto [it, inserted] = shots.emplace(e.task, e.num_fewshot);
    if (!inserted && it->second != e.num_fewshot)
      throw UserError(entry_where + ": " + e.task + " is given different num_fewshot values within one suite");
    s.entries.push_back(std::move(e));
  }
  if (j.contains("not_covered")) {
    if (!j["not_covered"].is_object()) throw UserError(where + ": 'not_covered' must map rows to reasons");
    for (const auto& [row, why] : j["not_covered"].items()) {
      if (!why.is_string()) throw UserError(where + ": not_covered." + row + " must be a string");
      s.not_covered[row] = why.get<std::string>();
    }
  }
  return s;
}

Suite Suite::restricted_to(const std::vector<std::string>& tasks) const {
  if (tasks.empty()) return *this;
  for (const auto& t : tasks)
    if (std::none_of(entries.begin(), entries.end(), [&](const SuiteEntry& e) { return e.task == t; }))
      throw UserError("suite " + name + " has no task '" + t + "'");
  Suite out = *this;
  out.entries.clear();
  for (const auto& e : entries)
    if (std::find(tasks.begin(), tasks.end(), e.task) != tasks.end()) out.entries.push_back(e);
  return out;
}

std::vector<Suite> list_suites() {
  std::vector<Suite> out;
  if (!fs::exists(suites_root())) return out;
  for (const auto& entry : fs::directory_iterator(suites_root()))
    if (entry.is_regular_file() && entry.path().extension() == ".json") out.push_back(load_suite_file(entry.path()));
  std::sort(out.begin(), out.end(), [](const Suite& a, const Suite& b) { return a.name < b.name; });
  return out;
}

Suite resolve_suite(const std::string& name_or_file) {
  if (names_json_file(name_or_file)) {
    if (!fs::exists(name_or_file)) throw UserError(name_or_file + ": suite file not found");
    return load_suite_file(name_or_file);
  }
  std::string known;
  for (auto& s : list_suites()) {
    if (s.name == name_or_file) return s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  throw UserError("unknown suite '" + name_or_file + "' (suites: " + known + ")");
}

}  // namespace dlmeval
