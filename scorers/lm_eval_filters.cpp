#include "scorers/lm_eval_filters.h"

#include <map>

#include "harness/core/error.h"
#include "scorers/python_text.h"

namespace dlmeval {
namespace {

void allow_only(const Json& step, const std::vector<std::string>& allowed, const std::string& where) {
  for (const auto& [key, value] : step.items()) {
    if (key == "function") continue;
    bool known = false;
    for (const auto& a : allowed) known = known || a == key;
    if (!known) throw UserError(where + ": filter step " + step["function"].dump() + " takes no argument \"" + key + "\"");
  }
}

std::string response_text(const Json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

}  // namespace

FilterPipeline FilterPipeline::from_json(const Json& entry, const std::string& where) {
  if (!entry.is_object()) throw UserError(where + ": a filter_list entry must be an object with \"name\" and \"filter\"");
  FilterPipeline pipeline;
  if (!entry.contains("name") || !entry["name"].is_string() || entry["name"].get<std::string>().empty())
    throw UserError(where + ": a filter_list entry needs a non-empty string \"name\"");
  pipeline.name_ = entry["name"].get<std::string>();
  const std::string here = where + ": filter " + pipeline.name_;
  for (const auto& [key, value] : entry.items())
    if (key != "name" && key != "filter") throw UserError(here + ": unknown key \"" + key + "\"");
  if (!entry.contains("filter") || !entry["filter"].is_array() || entry["filter"].empty())
    throw UserError(here + ": \"filter\" must be a non-empty list of steps");
  for (const Json& raw : entry["filter"]) {
    if (!raw.is_object() || !raw.contains("function") || !raw["function"].is_string())
      throw UserError(here + ": every step needs a string \"function\"");
    FilterStep step;
    step.function = raw["function"].get<std::string>();
    step.arguments = raw;
    if (step.function == "regex") {
      allow_only(raw, {"regex_pattern", "group_select", "fallback"}, here);
      std::string pattern = "#### (\\-?[0-9\\.\\,]+)";  // lm-eval's default
      if (raw.contains("regex_pattern")) {
        if (!raw["regex_pattern"].is_string()) throw UserError(here + ": regex_pattern must be a string");
        pattern = raw["regex_pattern"].get<std::string>();
      }
      step.regex = std::make_shared<PythonRegex>(pattern, here);
      if (raw.contains("group_select")) {
        if (!raw["group_select"].is_number_integer()) throw UserError(here + ": group_select must be an integer");
        step.group_select = raw["group_select"].get<long>();
      }
      if (raw.contains("fallback")) {
        if (!raw["fallback"].is_string()) throw UserError(here + ": fallback must be a string");
        step.fallback = raw["fallback"].get<std::string>();
      }
    } else if (step.function == "take_first_k") {
      allow_only(raw, {"k"}, here);
      if (!raw.contains("k") || !raw["k"].is_number_integer() || raw["k"].get<long long>() < 1)
        throw UserError(here + ": take_first_k needs a positive integer k");
      step.k = raw["k"].get<size_t>();
    } else if (step.function == "map") {
      allow_only(raw, {"mapping_dict", "default_value"}, here);
      if (!raw.contains("mapping_dict") || !raw["mapping_dict"].is_object())
        throw UserError(here + ": map needs an object \"mapping_dict\"");
      step.mapping = raw["mapping_dict"];
      if (raw.contains("default_value")) step.default_value = raw["default_value"];
    } else if (step.function == "take_first" || step.function == "remove_whitespace" || step.function == "lowercase" ||
               step.function == "uppercase" || step.function == "majority_vote") {
      allow_only(raw, {}, here);
    } else {
      throw UserError(here + ": filter function \"" + step.function +
                      "\" is not one dlmeval implements (regex, take_first, take_first_k, remove_whitespace, "
                      "lowercase, uppercase, majority_vote, map)");
    }
    pipeline.steps_.push_back(std::move(step));
  }
  return pipeline;
}

FilterPipeline FilterPipeline::take_first_only() {
  return from_json(Json{{"name", "none"}, {"filter", Json::array({Json{{"function", "take_first"}}})}}, "default filter");
}

std::vector<std::string> FilterPipeline::apply(std::vector<std::string> responses) const {
  for (const FilterStep& step : steps_) {
    if (step.function == "regex") {
      for (std::string& response : responses) {
        const auto matches = step.regex->find_all(response);
        const long n = static_cast<long>(matches.size());
        const long index = step.group_select < 0 ? n + step.group_select : step.group_select;
        // lm-eval indexes the match list directly (an IndexError there); no such match is no answer.
        if (matches.empty() || index < 0 || index >= n) {
          response = step.fallback;
          continue;
        }
        const auto& groups = matches[static_cast<size_t>(index)];
        std::optional<std::string> chosen;
        if (groups.size() == 1) {
          chosen = groups[0].value_or("");
        } else {
          for (const auto& g : groups)
            if (g && !g->empty()) {
              chosen = g;
              break;
            }
        }
        response = chosen ? python_strip(*chosen) : step.fallback;
      }
    } else if (step.function == "take_first") {
      if (responses.size() > 1) responses.resize(1);
    } else if (step.function == "take_first_k") {
      if (responses.size() > step.k) responses.resize(step.k);
    } else if (step.function == "remove_whitespace") {
      for (std::string& response : responses)
        if (!response.empty() && response[0] == ' ') response.erase(0, 1);
    } else if (step.function == "lowercase") {
      for (std::string& response : responses) response = python_lower(response);
    } else if (step.function == "uppercase") {
      for (std::string& response : responses) response = python_upper(response);
    } else if (step.function == "majority_vote") {
      // collections.Counter(...).most_common(1): the highest count, the earliest answer on a tie.
      std::map<std::string, size_t> counts;
      std::string best;
      size_t best_count = 0;
      for (const std::string& response : responses) ++counts[response];
      for (const std::string& response : responses) {
        if (counts[response] > best_count) {
          best = response;
          best_count = counts[response];
        }
      }
      if (!responses.empty()) responses = {best};
    } else if (step.function == "map") {
      for (std::string& response : responses) {
        if (step.mapping.contains(response))
          response = response_text(step.mapping[response]);
        else
          response = step.default_value.is_null() ? "None" : response_text(step.default_value);
      }
    }
  }
  return responses;
}

Json FilterPipeline::to_json() const {
  Json steps = Json::array();
  for (const FilterStep& step : steps_) steps.push_back(step.arguments);
  return Json{{"name", name_}, {"filter", steps}};
}

double exact_match(const std::string& prediction, const std::string& reference, const ExactMatchOptions& options) {
  std::string p = prediction, r = reference;
  for (const auto& regex : options.regexes_to_ignore) {
    p = regex->substitute(p, "");
    r = regex->substitute(r, "");
  }
  if (options.ignore_case) {
    p = python_lower(p);
    r = python_lower(r);
  }
  if (options.ignore_punctuation) {
    p = remove_ascii_punctuation(p);
    r = remove_ascii_punctuation(r);
  }
  if (options.ignore_numbers) {
    p = remove_ascii_digits(p);
    r = remove_ascii_digits(r);
  }
  return p == r ? 1.0 : 0.0;
}

}  // namespace dlmeval
