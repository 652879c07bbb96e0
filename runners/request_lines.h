#pragma once
// The request lines of `dlmeval generate --input` and `dlmeval loglik --input`, parsed into plain
// values before any tensor exists, so a malformed line is one UserError (the caller adds file and
// line) and the parsers can be fuzzed without LibTorch.
#include <cstdint>
#include <optional>
#include <vector>

#include "harness/core/json_io.h"
#include "runners/runner.h"

namespace dlmeval {

struct GenerateLine {
  std::vector<TokenIds> prompt_rows;  // [B][T], rectangular, B, T >= 1
  bool two_d = false;                 // prompt_ids was given as a 2-D array (output keeps the shape)
  std::optional<std::vector<TokenIds>> attention_mask;  // same shape as prompt_rows
  uint64_t seed = 0;
  Json protocol = Json::object();  // `base` with the line's "protocol" fields laid over it
};

// {"prompt_ids": [...] | [[...], ...], "attention_mask"?, "protocol"?, "seed"?}.
GenerateLine parse_generate_line(const Json& line, const Json& base_protocol, uint64_t default_seed);

struct LoglikLine {
  TokenIds prompt_ids, answer_ids;
  uint64_t seed = 0;
  Json protocol = Json::object();  // as given; the scorer normalises it
};

// {"prompt_ids": [...], "answer_ids": [...], "protocol"?, "seed"?}.
LoglikLine parse_loglik_line(const Json& record, uint64_t default_seed);

}  // namespace dlmeval
