#pragma once
// `dlmeval generate`: the file and prompt front ends of the samplers (LibTorch-free header, so the
// command itself compiles without LibTorch).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "runners/runner.h"

namespace dlmeval {

struct GenerateCommandOptions {
  std::string model_dir;
  RuntimeOptions runtime;
  Json protocol = Json::object();  // base protocol; a request line's "protocol" fields override it
  std::optional<uint64_t> seed;     // a line's "seed" overrides it; 0 when neither is given
};

struct GenerateFileReport {
  size_t records = 0;
  int64_t forward_passes = 0;
  double seconds = 0;
};

// Each IN line {"prompt_ids": [...] | [[...], ...], "attention_mask"?, "protocol"?, "seed"?} is
// one call of the sampler, taken as given (a 2-D batch is left-padded by the caller, like the
// reference takes it). OUT lines repeat the input and add "output_ids" (the generated canvas, same
// batch shape as prompt_ids, uncut), "forward_passes" and "protocol_normalized".
GenerateFileReport run_generate_file(const GenerateCommandOptions& options, const std::string& input_path,
                                     const std::string& output_path);

struct PromptGeneration {
  std::string prompt_text;  // after the chat template, when applied
  GenerationResult result;
};

// Encodes `prompt` with the checkpoint's tokenizer (through its chat template when `chat`),
// generates, and cuts the output at EOS/EOT and `stop_strings`.
PromptGeneration run_generate_prompt(const GenerateCommandOptions& options, const std::string& prompt, bool chat,
                                     const std::vector<std::string>& stop_strings);

}  // namespace dlmeval
