// model.safetensors.index.json of sharded checkpoints.
#include "runners/io/safetensors.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  Json index;
  if (!fuzz::parse_json(data, size, index)) return 0;
  fuzz::only_user_errors([&] {
    const SafetensorsIndex parsed = parse_safetensors_index(index, "index.json");
    for (const auto& [tensor, shard] : parsed.weight_map)
      if (shard.find('/') != std::string::npos || shard == "..") std::abort();  // must stay in the folder
  });
  return 0;
}
