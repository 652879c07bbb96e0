#pragma once
// Helpers for end-to-end tests of `dlmeval run`: a tiny LLaDA checkpoint with a tokenizer (the
// golden llada-tiny weights beside the golden tiny tokenizer, whose ids they share), small
// protocols, and running the binary.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "harness/core/json_io.h"

namespace dlmeval::test {

inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("dlmeval_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string tiny_model_with_tokenizer(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  const std::string shared = DLMEVAL_SHARED_DIR;
  fs::path model = root / "llada-tiny-tok";
  fs::create_directories(model);
  for (const char* f : {"config.json", "model.safetensors"})
    fs::copy_file(shared + "/golden/checkpoints/llada-tiny/" + f, model / f, fs::copy_options::overwrite_existing);
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
    fs::copy_file(shared + "/golden/tokenizers/tiny/" + f, model / f, fs::copy_options::overwrite_existing);
  return model.string();
}

inline std::string write_protocol(const std::filesystem::path& root, const std::string& name, Json settings) {
  settings["name"] = name;
  auto path = (root / (name + ".json")).string();
  std::ofstream(path) << settings.dump(2);
  return path;
}

// The smallest generation and choice protocols worth running end to end: "tiny-gen" (LLaDA, 8
// tokens in 4 steps) and "tiny-mc" (MC ELBO, 4 rows), written as JSON files under `root`.
struct TinyProtocols {
  std::string gen, choice;
};
inline TinyProtocols write_tiny_protocols(const std::filesystem::path& root) {
  return {write_protocol(root, "tiny-gen", {{"sampler", "llada"}, {"gen_length", 8}, {"steps", 4}, {"block_length", 8}}),
          write_protocol(root, "tiny-mc", {{"estimator", "mc_elbo"}, {"mc_num", 4}, {"batch_size", 4}})};
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline CommandResult run_dlmeval(const std::string& args) {
  std::string cmd = std::string(DLMEVAL_BINARY) + " " + args + " 2>&1";
  CommandResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, pipe)) r.output += buffer;
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string data_dir() { return std::string(DLMEVAL_SHARED_DIR) + "/data"; }

}  // namespace dlmeval::test
