#pragma once
// `dlmeval forward`: logits for the input_ids (and optional attention_mask) of a safetensors file.
#include <string>

#include "runners/runner.h"

namespace dlmeval {

struct ForwardFileReport {
  int64_t batch = 0, tokens = 0, vocab = 0;
  double seconds = 0;
};

ForwardFileReport run_forward_file(const std::string& model_dir, const RuntimeOptions& options,
                                   const std::string& input_path, const std::string& output_path);

}  // namespace dlmeval
