// tokenizer.json: the model, pre-tokenizer, normalizer, decoder and added-token sections; an
// accepted file must then encode and decode text without failing.
#include "runners/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  const std::string path = fuzz::as_file(data, size);
  fuzz::only_user_errors([&] {
    const Tokenizer tokenizer = Tokenizer::load(path);
    for (const char* text : {"Hello world 123", " caf\xc3\xa9  \n\t x", "<|mask|>a<|endoftext|>", ""}) {
      const auto ids = tokenizer.encode(text, true);
      (void)tokenizer.decode(ids, false);
      (void)tokenizer.decode(ids, true);
    }
  });
  return 0;
}
