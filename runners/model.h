#pragma once
// A loaded checkpoint: config, special ids, the network on its device, and the tokenizer when the
// folder has one.
#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>

#include "runners/checkpoint.h"
#include "runners/models/transformer.h"
#include "runners/runner.h"

namespace dlmeval {

class Tokenizer;

struct LoadedModel {
  std::string dir;
  ModelConfig config;
  SpecialIds ids;
  std::string stored_dtype;
  RuntimeOptions options;
  std::shared_ptr<Transformer> net;
  std::shared_ptr<Tokenizer> tokenizer;  // null when the folder has no tokenizer.json
};

// Sets LibTorch's intra-op thread count (0 = all cores; LibTorch starts at 1 here).
void configure_threads(int threads);
// Loads and validates `dir`; UserError (exit 2) for any structural problem.
std::shared_ptr<LoadedModel> load_model(const std::string& dir, const RuntimeOptions& options);
// Ids from config.json first, then the tokenizer's special tokens, then the overrides.
SpecialIds resolve_special_ids(const ModelConfig& config, const Tokenizer* tokenizer, const RuntimeOptions& options);

}  // namespace dlmeval
