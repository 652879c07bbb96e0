#include "results/collapse.h"

#include <algorithm>
#include <cmath>

namespace dlmeval {
namespace {

bool whitespace_only(const std::string& text) {
  return !text.empty() && text.find_first_not_of(" \t\n\r\f\v") == std::string::npos;
}

// The answers of a generation record and their token counts (records written before per-sample
// counts were kept give the doc's total to its single answer).
struct Answers {
  std::vector<std::string> texts;
  std::vector<int64_t> tokens;
};

Answers answers_of(const Json& record) {
  Answers a;
  const auto resps = record.find("resps");
  if (resps == record.end() || !resps->is_array()) return a;
  for (const Json& r : *resps) {
    if (!r.is_string()) return {};  // a choice record: log-likelihoods
    a.texts.push_back(r.get<std::string>());
  }
  const auto per_sample = record.find("generated_tokens_per_sample");
  if (per_sample != record.end() && per_sample->is_array() && per_sample->size() == a.texts.size()) {
    for (const Json& t : *per_sample) a.tokens.push_back(t.is_number_integer() ? t.get<int64_t>() : 0);
  } else if (a.texts.size() == 1 && record.contains("generated_tokens") && record["generated_tokens"].is_number_integer()) {
    a.tokens.push_back(record["generated_tokens"].get<int64_t>());
  }
  return a;
}

// Share of the record's answers with `diagnostic`; -1 when it does not apply to the record.
double share(const Json& record, const std::string& diagnostic, int64_t max_tokens) {
  if (diagnostic == "invalid_extraction") {
    const auto metrics = record.find("metrics");
    if (metrics == record.end() || !metrics->contains("invalid_extraction")) return -1;
    const Json& v = (*metrics)["invalid_extraction"];
    return v.is_number() ? v.get<double>() : -1;
  }
  const Answers a = answers_of(record);
  if (a.texts.empty()) return -1;
  double hits = 0;
  if (diagnostic == "length_limit") {
    if (max_tokens <= 0 || a.tokens.size() != a.texts.size()) return -1;
    for (int64_t t : a.tokens) hits += t >= max_tokens;
  } else {
    for (const auto& text : a.texts) hits += diagnostic == "empty_output" ? text.empty() : whitespace_only(text);
  }
  return hits / static_cast<double>(a.texts.size());
}

}  // namespace

const std::vector<std::string>& collapse_diagnostic_names() {
  static const std::vector<std::string> names = {"empty_output", "whitespace_output", "length_limit",
                                                 "invalid_extraction"};
  return names;
}

int64_t protocol_max_tokens(const Json& settings) {
  for (const char* key : {"gen_length", "max_new_tokens", "max_length"})
    if (settings.contains(key) && settings[key].is_number_integer()) return settings[key].get<int64_t>();
  return 0;
}

std::map<std::string, double> collapse_by_doc(const EvaluationSamples& samples, const std::string& diagnostic,
                                              int64_t max_tokens) {
  std::map<std::string, double> out;
  for (const Json& record : samples.records) {
    const double s = share(record, diagnostic, max_tokens);
    if (s >= 0) out[record["doc_id"].get<std::string>()] = s;
  }
  return out;
}

CollapseSummary summarize_collapse(const EvaluationSamples& samples, int64_t max_tokens) {
  CollapseSummary summary;
  summary.max_tokens = max_tokens;
  std::vector<int64_t> lengths;
  std::map<std::string, double> hits;
  std::map<std::string, int64_t> counted;
  for (const Json& record : samples.records) {
    const Answers a = answers_of(record);
    if (a.texts.empty()) continue;
    summary.samples += static_cast<int64_t>(a.texts.size());
    lengths.insert(lengths.end(), a.tokens.begin(), a.tokens.end());
    for (const auto& name : collapse_diagnostic_names()) {
      const double s = share(record, name, max_tokens);
      if (s < 0) continue;
      hits[name] += s * static_cast<double>(a.texts.size());
      counted[name] += static_cast<int64_t>(a.texts.size());
    }
  }
  if (summary.samples == 0) return summary;
  for (const auto& [name, n] : counted) summary.shares[name] = hits[name] / static_cast<double>(n);
  if (!lengths.empty()) {
    std::sort(lengths.begin(), lengths.end());
    // Nearest-rank quantiles: values that occurred, so a reader can look them up in the samples.
    for (double q : {0.1, 0.5, 0.9, 1.0}) {
      const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(lengths.size())));
      summary.length_quantiles.push_back(lengths[std::max<size_t>(rank, 1) - 1]);
    }
    if (max_tokens > 0) {
      summary.length_histogram.assign(10, 0);
      for (int64_t t : lengths) {
        const int64_t bin = std::min<int64_t>(9, t * 10 / max_tokens);
        ++summary.length_histogram[static_cast<size_t>(std::max<int64_t>(0, bin))];
      }
    }
  }
  return summary;
}

Json CollapseSummary::to_json() const {
  return Json{{"samples", samples},
              {"shares", shares},
              {"generated_tokens_p10_p50_p90_max", length_quantiles},
              {"length_histogram", length_histogram},
              {"max_tokens", max_tokens}};
}

}  // namespace dlmeval
