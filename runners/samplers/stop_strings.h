#pragma once
// Where an output ends: at the first EOS/EOT id, then at the earliest occurrence of any stop
// string in the decoded text. Also the rule that lets a semi-autoregressive sampler stop early:
// once a row's committed tokens settle its kept text, later blocks cannot change it.
// LibTorch-free.
#include <string>
#include <vector>

#include "runners/runner.h"

namespace dlmeval {

class Tokenizer;

// Decides, per batch row, whether the committed tokens so far already fix the kept text.
class StopRule {
 public:
  virtual ~StopRule() = default;
  // `generated` holds the committed tokens of `row` from the first generated position on.
  virtual bool settled(size_t row, const TokenIds& generated) const = 0;
};

// Byte offset of the earliest occurrence of any of `stops` in `text`, or npos.
size_t earliest_stop(const std::string& text, const std::vector<std::string>& stops);

// `ids` up to (not including) the first `eos_id` or `eot_id` (-1 = none).
TokenIds cut_at_end_ids(const TokenIds& ids, int64_t eos_id, int64_t eot_id);

// Stop strings matched on the text decoded with special tokens kept (a stop string may be a
// special token's text). A row is settled when a stop string starts at byte p of the committed
// text and p + longest stop + a safety margin still lies inside it: no earlier-starting match can
// then reach into tokens not yet decoded, and byte-level decoding of a token prefix is a prefix of
// the full decoding except for an unfinished UTF-8 character at its end.
class StopStringRule : public StopRule {
 public:
  StopStringRule(const Tokenizer& tokenizer, std::vector<std::vector<std::string>> stops_per_row);
  bool settled(size_t row, const TokenIds& generated) const override;

 private:
  const Tokenizer& tokenizer_;
  std::vector<std::vector<std::string>> stops_;
};

struct KeptOutput {
  TokenIds ids;      // tokens kept (all of them when nothing cut; else those fully before the cut)
  std::string text;  // decoded kept text, special tokens removed (empty without a tokenizer)
};

// The kept part of a generated sequence: cut at EOS/EOT (when `stop_at_eos`), decode, cut at the
// earliest stop string, drop special tokens from the text. Stop strings need a tokenizer
// (UserError otherwise).
KeptOutput keep_output(const TokenIds& generated, const Tokenizer* tokenizer, const std::vector<std::string>& stops,
                       int64_t eos_id, int64_t eot_id, bool stop_at_eos);

}  // namespace dlmeval
