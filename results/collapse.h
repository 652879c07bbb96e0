#pragma once
// Collapse diagnostics of a generation evaluation: a protocol can look fine on average while a
// share of its outputs are empty, whitespace, cut at the length limit, or unreadable to the
// extractor. Computed from the samples alone, per doc (the share over the doc's samples) so that
// `regress` can test a change of each share with the same paired tests as a metric.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "results/run_dir.h"

namespace dlmeval {

// The diagnostics, in display order, with what each counts:
//   empty_output       no text at all (the answer began with EOS/EOT, or nothing was generated)
//   whitespace_output  text made of whitespace only
//   length_limit       the answer used every token the protocol allows (cut, not finished)
//   invalid_extraction the task's own invalid_extraction metric, where it reports one
const std::vector<std::string>& collapse_diagnostic_names();

// The most tokens the protocol lets an answer have (gen_length, max_new_tokens or max_length of
// the normalised settings); 0 when the settings say none (choice protocols).
int64_t protocol_max_tokens(const Json& settings);

// doc_id -> share of the doc's samples with the diagnostic; docs of choice evaluations have none.
std::map<std::string, double> collapse_by_doc(const EvaluationSamples& samples, const std::string& diagnostic,
                                              int64_t max_tokens);

struct CollapseSummary {
  int64_t samples = 0;                     // generated answers
  std::map<std::string, double> shares;    // diagnostic -> share of samples
  std::vector<int64_t> length_quantiles;   // generated tokens at p10, p50, p90, max
  std::vector<int64_t> length_histogram;   // 10 equal bins over [0, max_tokens] (the last holds the limit)
  int64_t max_tokens = 0;
  Json to_json() const;
};

// Empty summary (samples == 0) for choice evaluations.
CollapseSummary summarize_collapse(const EvaluationSamples& samples, int64_t max_tokens);

}  // namespace dlmeval
