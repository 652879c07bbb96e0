#pragma once
// Between tasks and runners: turns a batch of task requests under one protocol into runner
// requests (chat template, tokenisation, lm-eval's context/continuation split, seeds, samples per
// doc) and the runner's results back into task outputs with what they cost.
#include <cstdint>
#include <vector>

#include "harness/core/records.h"
#include "harness/protocol_presets.h"
#include "runners/runner.h"

namespace dlmeval {

struct AdaptedOutput {
  TaskOutput output;
  SampleCost cost;  // seconds are the caller's to fill
};

// `seeds[i]` is request i's doc seed; sample s of a generation request runs under seeds[i] + s.
std::vector<AdaptedOutput> run_requests(Runner& runner, const ResolvedProtocol& protocol,
                                        const std::vector<TaskRequest>& requests, const std::vector<uint64_t>& seeds);

// Tokenizes context + continuation the way lm-eval does (runners/tokenizer/encode_pair.h).
std::pair<TokenIds, TokenIds> encode_pair(const Runner& runner, std::string context, std::string continuation);

}  // namespace dlmeval
