#pragma once
// The Runner seam: the harness hands plain requests to a runner and gets plain results back.
// This header is LibTorch-free so the harness, tests and other runners compile without it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "harness/core/model_cost.h"

namespace dlmeval {

using TokenIds = std::vector<int64_t>;

// Special token ids, resolved from config.json, then the tokenizer files, then overrides.
struct SpecialIds {
  int64_t mask_id = -1;
  int64_t eos_id = -1;
  int64_t eot_id = -1;  // end of turn (<|eot_id|>, <|im_end|>); -1 when the model has none
  int64_t pad_id = -1;
  int64_t bos_id = -1;
  Json to_json() const;
};

// Where and how a model runs. Device and dtype are parameters everywhere.
struct RuntimeOptions {
  std::string device = "cpu";  // "cpu", "cuda", "cuda:1"
  std::string dtype = "f32";   // compute dtype: "f32" or "bf16"
  int threads = 0;             // 0 = all cores
  std::optional<int64_t> mask_id, eos_id, eot_id;  // overrides of the checkpoint's ids
  // Longest prompt + generation accepted; 0 = the checkpoint's (config.json max_sequence_length or
  // max_position_embeddings). Raise it only for a model known to extrapolate beyond it (RoPE scaling).
  int64_t max_sequence_length = 0;
  // Memory a batch may use beyond the weights, in GiB; 0 = what the device has free when the batch
  // starts. A batch estimated to need more is refused before any model work.
  double device_memory_gib = 0;
};

struct GenerationRequest {
  TokenIds prompt_ids;
  Json protocol;                   // sampler settings; absent fields take the reference defaults
  uint64_t seed = 0;
  std::vector<std::string> stop_strings;  // matched on decoded text (needs a tokenizer)
};

struct GenerationResult {
  TokenIds output_ids;      // generated tokens only, cut at EOS/stop when the protocol says so
  std::string text;         // decoded (empty without a tokenizer)
  int64_t forward_passes = 0;
  int64_t generated_tokens = 0;
  ModelCost cost;           // this request's share of its batch's model work
};

// One question's choices. Usually one shared context and several continuations; WinoGrande-style
// partial scoring has one context per choice and a shared continuation. `contexts` holds either
// one entry (shared) or one per continuation.
struct ChoiceRequest {
  std::vector<TokenIds> contexts;
  std::vector<TokenIds> continuations;
  Json protocol;  // estimator settings
  uint64_t seed = 0;
};

struct ChoiceResult {
  std::vector<double> loglik;  // one per continuation (higher = preferred)
  std::vector<double> stderr_of_loglik;
  std::vector<bool> is_greedy;  // ar_loglik only: every continuation token was the argmax (lm-eval)
  int64_t forward_passes = 0;
  ModelCost cost;  // the model work of this question
};

class Runner {
 public:
  virtual ~Runner() = default;
  virtual std::vector<GenerationResult> generate(const std::vector<GenerationRequest>& batch) = 0;
  virtual std::vector<ChoiceResult> score_choices(const std::vector<ChoiceRequest>& batch) = 0;
  virtual const SpecialIds& special_ids() const = 0;
  // Encodes/decodes with the checkpoint's tokenizer; throws UserError when it has none.
  virtual TokenIds encode(const std::string& text) const = 0;
  virtual std::string decode(const TokenIds& ids, bool skip_special) const = 0;
  // Renders [{"role", "content"}, ...] with the checkpoint's chat template.
  virtual std::string apply_chat_template(const Json& messages, bool add_generation_prompt) const = 0;
  // Everything about the model and runtime that belongs in a run manifest.
  virtual Json describe() const = 0;
};

// The in-process LibTorch runner over a Hugging Face checkpoint folder.
std::unique_ptr<Runner> open_libtorch_runner(const std::string& model_dir, const RuntimeOptions& options);
// CUDA devices this process can use (0 without the CUDA build or a GPU); runners/device.cpp.
int cuda_device_count();

}  // namespace dlmeval
