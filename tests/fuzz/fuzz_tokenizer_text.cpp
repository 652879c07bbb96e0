// The shipped tokenizers (the tiny golden one and Qwen3's) on arbitrary bytes: encoding valid UTF-8
// must work and round-trip through decoding; invalid UTF-8 (which a Hugging Face tokenizer cannot
// even be given) and any id sequence may only be refused with a UserError.
#include <algorithm>
#include <vector>

#include "runners/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

namespace {
const std::vector<dlmeval::Tokenizer>& tokenizers() {
  static const std::vector<dlmeval::Tokenizer> loaded = [] {
    std::vector<dlmeval::Tokenizer> t;
    for (const char* name : {"tiny", "qwen3"})
      t.push_back(dlmeval::Tokenizer::load(dlmeval::fuzz::shared_dir() + "/golden/tokenizers/" + name));
    return t;
  }();
  return loaded;
}
}  // namespace

// Loaded before the first input, so their one-time cost never counts against the 1 s per input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)tokenizers();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const auto& tokenizer : tokenizers()) {
    fuzz::only_user_errors([&] {
      const auto ids = tokenizer.encode(text, false);
      // Byte-level BPE after NFC loses nothing, and NFC leaves ASCII alone: ASCII text comes back.
      const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; });
      if (ascii && tokenizer.decode(ids, false) != text) {
        std::fprintf(stderr, "round trip changed the text\n");
        std::abort();
      }
      (void)tokenizer.encode(text, true);
    });
    // The bytes as ids, some out of range.
    std::vector<int64_t> ids;
    for (size_t i = 0; i + 3 < size; i += 4)
      ids.push_back(static_cast<int64_t>(data[i] | (data[i + 1] << 8) | (data[i + 2] << 16)) - 8);
    fuzz::only_user_errors([&] { (void)tokenizer.decode(ids, size % 3 == 0); });
  }
  return 0;
}
