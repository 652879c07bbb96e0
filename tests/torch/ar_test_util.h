#pragma once
// The tiny autoregressive goldens (tests/golden/ar) as checkpoint folders with the tiny tokenizer.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "golden_paths.h"

namespace dlmeval::test {

inline std::string ar_golden(const std::string& name) {
  return std::string(DLMEVAL_SOURCE_DIR) + "/tests/golden/ar/" + name;
}

// A checkpoint folder `source` with the tiny tokenizer beside it, as a scratch folder of symlinks.
inline std::string with_tiny_tokenizer(const std::string& source, const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("dlmeval_tok_" + name + "_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* f : {"config.json", "model.safetensors"})
    if (!fs::exists(dir / f)) fs::create_symlink(fs::absolute(source + "/" + f), dir / f);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
    if (!fs::exists(dir / f)) fs::create_symlink(golden(std::string("tokenizers/tiny/") + f), dir / f);
  return dir.string();
}

// The autoregressive golden checkpoint with the tiny tokenizer (the goldens were tokenised with it).
inline std::string ar_checkpoint_with_tokenizer(const std::string& name) {
  return with_tiny_tokenizer(ar_golden(name), name);
}

}  // namespace dlmeval::test
