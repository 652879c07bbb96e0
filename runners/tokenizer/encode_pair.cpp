#include "runners/tokenizer/encode_pair.h"

#include <algorithm>

namespace dlmeval {

std::pair<TokenIds, TokenIds> encode_pair(const Encoder& encode, std::string context, std::string continuation) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  size_t spaces = 0;
  while (spaces < context.size() && is_space(context[context.size() - 1 - spaces])) ++spaces;
  if (spaces > 0) {
    continuation = context.substr(context.size() - spaces) + continuation;
    context.resize(context.size() - spaces);
  }
  TokenIds whole = encode(context + continuation);
  TokenIds context_ids = encode(context);
  size_t split = std::min(context_ids.size(), whole.size());
  // A continuation swallowed whole by a merge would score nothing; it keeps its last token.
  if (split == whole.size() && split > 0) --split;
  return {std::move(context_ids), TokenIds(whole.begin() + static_cast<long>(split), whole.end())};
}

}  // namespace dlmeval
