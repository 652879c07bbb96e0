#pragma once
// Numeric answer extraction and comparison for math word problems (GSM8K and kin).
//
// Two extractors mirror lm-evaluation-harness's GSM8K filters:
//  * strict-match: the number after the `#### ` answer marker (regex `#### (\-?[0-9\.\,]+)`);
//  * flexible-extract: the last number-looking span in the text
//    (regex `(-?[$0-9.,]{2,})|(-?[0-9]+)`, last match wins).
// Extraction returns the raw matched text; comparison goes through `normalize_number`, so the
// extractors stay faithful to lm-eval and the leniency lives in one place.
#include <optional>
#include <string>
#include <string_view>

namespace dlmeval {

// The answer after the first `#### ` marker in `text` (lm-eval's strict-match
// takes the first match). Returns the captured span (e.g. "72." for "#### 72."), or nullopt when
// there is no `####` followed by a number.
std::optional<std::string> extract_gsm8k_strict(std::string_view text);

// The last number in `text` (lm-eval's flexible-extract): a span of at least two characters from
// `$0-9.,` optionally led by `-`, or a bare integer. A span holding no digit ("...", "$,") is
// skipped rather than returned. nullopt when the text holds no number.
std::optional<std::string> extract_last_number(std::string_view text);

// Canonical form of a numeric answer for comparison: trims whitespace, strips `$`, thousands
// separators (commas), a leading `+`, a trailing period, a trailing fractional zero run
// (`29.00` -> `29`, `3.50` -> `3.5`) and leading zeros (`007` -> `7`); `-0` -> `0`.
// A string that is not a number after stripping is returned trimmed but otherwise unchanged,
// so non-numeric answers still compare exactly.
std::string normalize_number(std::string_view s);

// True when both strings normalise to the same text (so `$29.00` == `29`, `1,000` == `1000`).
// Exact decimal comparison on the normalised text; no floating-point tolerance.
bool numbers_equal(std::string_view a, std::string_view b);

}  // namespace dlmeval
