#pragma once
// Suites: the task × protocol × shots pairs of a reported table, as one JSON file under
// presets/suites/ (or any file given by path). A suite run evaluates exactly its pairs, not the
// cross product, and its manifest keeps the suite so `dlmeval paper` can lay each measured
// (task, protocol) under the paper column it reproduces.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

struct SuiteEntry {
  std::string task;
  std::string protocol;             // preset name or JSON file
  std::optional<int> num_fewshot;   // absent: the task's default
  std::vector<std::string> columns; // paper columns this pair reproduces
  std::string row;                  // paper row it fills when the task name does not say (e.g. gsm8k_semi_ar)
  // A second way of measuring the same column (iLLaDA's confidence scoring beside the ELBO): the
  // pair gets a measured column of its own, "<column> (<variant>)", beside the main one.
  std::string variant;
};

struct Suite {
  std::string name;
  std::string description;
  std::string paper_table;                         // table in paper-tables.json, may be empty
  std::vector<SuiteEntry> entries;                 // run order
  std::map<std::string, std::string> not_covered;  // paper row -> why the suite cannot run it
  std::string source;                              // file it came from

  Json to_json() const;
  // `where` names the file in errors; every malformed field is a UserError naming it.
  static Suite from_json(const Json& j, const std::string& where);
  // Entries for these tasks only (all when empty); UserError naming a task the suite lacks.
  Suite restricted_to(const std::vector<std::string>& tasks) const;
};

// Every suite under presets/suites/, sorted by name.
std::vector<Suite> list_suites();
// A suite name or a JSON file path; UserError naming it when unknown or malformed.
Suite resolve_suite(const std::string& name_or_file);

}  // namespace dlmeval
