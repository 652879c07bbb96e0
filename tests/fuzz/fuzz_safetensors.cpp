// safetensors files: header length, header JSON, dtypes, shapes, offsets, overlaps.
#include "runners/io/safetensors.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  const std::string path = fuzz::as_file(data, size);
  fuzz::only_user_errors([&] {
    auto file = SafetensorsFile::open(path);
    // Every accepted tensor must lie inside the mapping: touch its first and last byte.
    volatile uint8_t sink = 0;
    for (const auto& name : file->names()) {
      const TensorView& t = file->tensor(name);
      if (t.size_bytes > 0) sink = sink ^ t.data[0] ^ t.data[t.size_bytes - 1];
      if (static_cast<size_t>(t.numel()) * dtype_size(t.dtype) != t.size_bytes) std::abort();
    }
  });
  return 0;
}
