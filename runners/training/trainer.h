#pragma once
// Training a small masked-diffusion model from scratch (LibTorch-free header), so dlmeval can
// ship a working default model: a checkpoint folder every other command loads like a real one
// (LLaDA config.json, model.safetensors with LLaDA tensor names, byte-level BPE tokenizer.json).
//
// Objective (LLaDA): t ~ U(0, 1]; each eligible token is replaced by the mask token with
// probability t; loss = cross-entropy on the masked tokens weighted by 1/t. Which tokens are
// eligible is the masking form:
//   * response: prompt tokens stay clean, the response and its EOS padding are masked
//     (LLaDA's SFT form, the one the toy suite learns best, so the default);
//   * full:     prompt, response and EOS are masked alike (the iLLaDA form).
// Every example is the prompt, the response, then EOS padding of a random length up to
// `response_length` tokens, so the model learns to end its answers inside a generation window.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

struct TrainExample {
  std::string family;  // examples are drawn family by family with equal weight (small families count as much)
  std::string prompt;
  std::string response;
  // Response + EOS padding tokens of this example; 0 = TrainOptions::response_length. Long-answer
  // families need a longer window without making every other example pay for it.
  int64_t response_length = 0;
};

struct TrainOptions {
  std::string out_dir;               // checkpoint folder to write: new, empty, or an earlier one to replace
  int64_t steps = 1000;
  uint64_t seed = 0;                 // weights, batches, masks: same seed, same checkpoint
  // LibTorch intra-op threads (0 = all cores); not part of the cache key. One by default: this
  // model's matrices are too small to gain much from more, and on a busy machine spinning
  // OpenMP workers make a two-thread step several times slower than a one-thread step.
  int threads = 1;
  int64_t d_model = 96;
  int64_t layers = 3;
  int64_t heads = 4;
  int64_t mlp_hidden = 192;
  int64_t batch_size = 32;
  double learning_rate = 3e-3;       // peak; linear warm-up, then cosine decay to a tenth
  int64_t warmup_steps = 50;
  double weight_decay = 0.01;        // matrices only, not the norm gains
  double grad_clip = 1.0;
  int64_t response_length = 32;      // response + EOS padding tokens (the generation window)
  size_t bpe_merges = 120;           // tokenizer merges learned from the corpus
  std::string masking = "response";  // "response" or "full" (see above)

  // Every field that changes the trained weights, as canonical JSON (cache keys, provenance).
  Json to_json() const;
};

struct TrainProgress {
  int64_t step = 0;  // 1-based, finished steps
  int64_t steps = 0;
  double loss = 0;   // running mean of the recent steps' loss
  double seconds = 0;
};
using ProgressCallback = std::function<void(const TrainProgress&)>;

struct TrainReport {
  std::string checkpoint_dir;
  int64_t steps = 0;
  double seconds = 0;
  double initial_loss = 0;  // mean over the first steps
  double final_loss = 0;    // mean over the last steps
  int64_t parameters = 0;
  int64_t vocab_size = 0;
  int64_t tokens_seen = 0;  // non-padding tokens fed to the network
  Json to_json() const;
};

// Trains on `corpus` and writes the checkpoint to options.out_dir. UserError for bad options
// (non-positive sizes, unknown masking form, an example longer than the model's context).
TrainReport train_toy_model(const std::vector<TrainExample>& corpus, const TrainOptions& options,
                            const ProgressCallback& progress = nullptr);

// The cache folder name for a corpus and options: "toy-model-<16 hex>" over the dlmeval
// version, the training code version, the options and the corpus.
std::string toy_model_cache_name(const std::vector<TrainExample>& corpus, const TrainOptions& options);

// The checkpoint for `corpus` and `options` under `cache_dir`: trained (and written atomically)
// only when no finished checkpoint with the same cache name is there yet. options.out_dir is
// ignored. Returns the checkpoint folder.
std::string ensure_toy_model(const std::string& cache_dir, const std::vector<TrainExample>& corpus,
                             const TrainOptions& options, const ProgressCallback& progress = nullptr);

}  // namespace dlmeval
