#pragma once
// Helpers for tokenizer tests: small tokenizer.json files written to a fresh temporary folder.
#include <filesystem>
#include <map>
#include <string>

#include "harness/core/json_io.h"
#include "runners/tokenizer/tokenizer.h"

namespace dlmeval::testing {

inline std::string golden_tokenizer_dir() { return std::string(DLMEVAL_SHARED_DIR) + "/golden/tokenizers/"; }

// A golden tokenizer ("tiny", "qwen3", or a file path below the golden folder), loaded once per
// test binary: Qwen3 takes a noticeable fraction of a second to load.
inline const Tokenizer& golden_tokenizer(const std::string& relative_path) {
  static std::map<std::string, Tokenizer> loaded;
  auto it = loaded.find(relative_path);
  if (it == loaded.end()) it = loaded.emplace(relative_path, Tokenizer::load(golden_tokenizer_dir() + relative_path)).first;
  return it->second;
}

// A fresh, empty folder under the system temp folder, unique per test name.
inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("dlmeval_tokenizer_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Writes `tokenizer_json` (and `config` unless null) into a fresh folder and returns its path.
inline std::string write_tokenizer_dir(const std::string& name, const Json& tokenizer_json,
                                       const Json& config = Json()) {
  const auto dir = fresh_temp_dir(name);
  write_json_file_atomic((dir / "tokenizer.json").string(), tokenizer_json);
  if (!config.is_null()) write_json_file_atomic((dir / "tokenizer_config.json").string(), config);
  return dir.string();
}

// A character-level BPE over a handful of letters, to exercise one component at a time.
inline Json small_bpe_json() {
  return Json::parse(R"({
    "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
    "normalizer": null, "pre_tokenizer": null, "post_processor": null, "decoder": null,
    "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
              "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
              "vocab": {"a": 0, "b": 1, "c": 2, " ": 3, "ab": 4, "abc": 5, "bc": 6},
              "merges": [["a", "b"], ["ab", "c"], ["b", "c"]]}
  })");
}

}  // namespace dlmeval::testing
