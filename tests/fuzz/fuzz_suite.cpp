// Suite JSON (presets/suites/*.json or a user's file): entries, few-shot counts, paper columns.
#include "harness/suite.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  Json j;
  if (!fuzz::parse_json(data, size, j)) return 0;
  fuzz::only_user_errors([&] {
    const Suite suite = Suite::from_json(j, "suite.json");
    // What a suite writes into a manifest reads back as the same suite.
    const Suite again = Suite::from_json(suite.to_json(), "manifest");
    if (again.to_json() != suite.to_json()) std::abort();
    if (!suite.entries.empty()) (void)suite.restricted_to({suite.entries[0].task});
  });
  return 0;
}
