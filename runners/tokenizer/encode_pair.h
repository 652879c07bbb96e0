#pragma once
// How a (context, continuation) pair becomes token ids for likelihood scoring: lm-eval's
// _encode_pair (lm_eval/api/model.py; the official LLaDA eval_llada.py is the same). Trailing
// whitespace of the context (Python's str.rstrip) moves to the continuation, the pair is encoded
// whole, and the continuation is what follows the context's own token count. When the boundary
// merges, the continuation loses the merged part, as it does there.
#include <functional>
#include <string>
#include <utility>

#include "runners/runner.h"

namespace dlmeval {

using Encoder = std::function<TokenIds(const std::string&)>;

std::pair<TokenIds, TokenIds> encode_pair(const Encoder& encode, std::string context, std::string continuation);

}  // namespace dlmeval
