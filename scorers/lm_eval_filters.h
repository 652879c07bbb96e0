#pragma once
// lm-eval's answer filters, as a task file's `filter_list` names them: each entry is a named
// pipeline of steps applied to a doc's list of responses, in order:
//   regex (regex_pattern, group_select, fallback), take_first, take_first_k (k),
//   remove_whitespace, lowercase, uppercase, majority_vote, map (mapping_dict, default_value).
// Regexes have Python `re` semantics (scorers/python_regex.h). multi_choice_regex and custom
// Python filters are refused with a UserError naming the step.
#include <memory>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "scorers/python_regex.h"

namespace dlmeval {

struct FilterStep {
  std::string function;
  Json arguments = Json::object();  // as written, for the manifest
  // regex
  std::shared_ptr<const PythonRegex> regex;
  long group_select = 0;
  std::string fallback = "[invalid]";
  // take_first_k
  size_t k = 1;
  // map
  Json mapping = Json::object();
  Json default_value;  // null: lm-eval's None
};

class FilterPipeline {
 public:
  // `entry` is {"name": ..., "filter": [{"function": ..., args...}, ...]}. UserError naming
  // `where` for an unknown step, an unknown argument or a regex that does not compile.
  static FilterPipeline from_json(const Json& entry, const std::string& where);
  // lm-eval's default when a task has no filter_list: {"name": "none", take_first}.
  static FilterPipeline take_first_only();

  const std::string& name() const { return name_; }
  // The doc's responses after every step.
  std::vector<std::string> apply(std::vector<std::string> responses) const;
  // {"name", "filter": [steps as written]}, recorded with a run.
  Json to_json() const;

 private:
  std::string name_;
  std::vector<FilterStep> steps_;
};

// Hugging Face evaluate's exact_match for one prediction, as lm-eval calls it: every regex of
// `regexes_to_ignore` is removed from both strings, then the optional case, punctuation and digit
// folding, then string equality (1.0 or 0.0).
struct ExactMatchOptions {
  std::vector<std::shared_ptr<const PythonRegex>> regexes_to_ignore;
  bool ignore_case = false;
  bool ignore_punctuation = false;
  bool ignore_numbers = false;
};
double exact_match(const std::string& prediction, const std::string& reference, const ExactMatchOptions& options);

}  // namespace dlmeval
