#include "runners/samplers/stop_strings.h"

#include <algorithm>

#include "harness/core/error.h"
#include "runners/tokenizer/tokenizer.h"

namespace dlmeval {

namespace {
// Bytes at the end of a decoded prefix that may still change when more tokens follow (an
// unfinished UTF-8 character becomes U+FFFD until completed).
constexpr size_t kUnstableTailBytes = 16;
}  // namespace

size_t earliest_stop(const std::string& text, const std::vector<std::string>& stops) {
  size_t best = std::string::npos;
  for (const auto& stop : stops) {
    if (stop.empty()) continue;
    best = std::min(best, text.find(stop));
  }
  return best;
}

TokenIds cut_at_end_ids(const TokenIds& ids, int64_t eos_id, int64_t eot_id) {
  auto end = std::find_if(ids.begin(), ids.end(), [&](int64_t id) { return (eos_id >= 0 && id == eos_id) || (eot_id >= 0 && id == eot_id); });
  return TokenIds(ids.begin(), end);
}

StopStringRule::StopStringRule(const Tokenizer& tokenizer, std::vector<std::vector<std::string>> stops_per_row)
    : tokenizer_(tokenizer), stops_(std::move(stops_per_row)) {}

bool StopStringRule::settled(size_t row, const TokenIds& generated) const {
  if (row >= stops_.size() || stops_[row].empty()) return false;
  const std::string text = tokenizer_.decode(generated, /*skip_special_tokens=*/false);
  const size_t at = earliest_stop(text, stops_[row]);
  if (at == std::string::npos) return false;
  size_t longest = 0;
  for (const auto& s : stops_[row]) longest = std::max(longest, s.size());
  return at + longest + kUnstableTailBytes <= text.size();
}

KeptOutput keep_output(const TokenIds& generated, const Tokenizer* tokenizer, const std::vector<std::string>& stops,
                       int64_t eos_id, int64_t eot_id, bool stop_at_eos) {
  KeptOutput out;
  out.ids = stop_at_eos ? cut_at_end_ids(generated, eos_id, eot_id) : generated;
  if (tokenizer == nullptr) {
    if (!stops.empty()) throw UserError("stop strings need a tokenizer, and the checkpoint folder has no tokenizer.json");
    return out;
  }
  const std::string full = tokenizer->decode(out.ids, /*skip_special_tokens=*/false);
  const size_t at = earliest_stop(full, stops);
  if (at == std::string::npos) {
    out.text = tokenizer->decode(out.ids, /*skip_special_tokens=*/true);
    return out;
  }
  // Largest token count whose decoding ends at or before the cut (binary search: decoded length
  // grows with the prefix).
  size_t lo = 0, hi = out.ids.size();
  while (lo < hi) {
    const size_t mid = (lo + hi + 1) / 2;
    TokenIds prefix(out.ids.begin(), out.ids.begin() + static_cast<std::ptrdiff_t>(mid));
    if (tokenizer->decode(prefix, false).size() <= at) lo = mid;
    else hi = mid - 1;
  }
  out.ids.resize(lo);
  // As the LLaDA evaluation does: cut the text, then drop special tokens by re-encoding it.
  out.text = tokenizer->decode(tokenizer->encode(full.substr(0, at)), /*skip_special_tokens=*/true);
  return out;
}

}  // namespace dlmeval
