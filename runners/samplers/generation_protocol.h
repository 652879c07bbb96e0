#pragma once
// A generation protocol as JSON (the reference functions' argument names plus `sampler`), parsed
// into one plain settings struct. Absent fields take the reference defaults; unknown fields and
// bad values are UserErrors naming the field. LibTorch-free.
#include <cstdint>
#include <optional>
#include <string>

#include "harness/core/json_io.h"
#include "runners/runner.h"

namespace dlmeval {

// Which sampler family runs. The fast LLaDA variants are approximate and carry their own names so
// an exact protocol can never silently become an approximate one.
enum class SamplerKind {
  LLaDA,             // official generate.py: block schedule, fixed count per step
  LLaDAThreshold,    // Fast-dLLM confidence-threshold parallel decoding, no cache
  LLaDAPrefixCache,  // block-wise KV cache of the prefix (threshold optional)
  LLaDADualCache,    // block-wise KV cache of prefix and suffix (threshold optional)
  ILLaDAVarlen,      // grow the canvas block by block until EOS / stop / max_length
  Dream,             // Dream `_sample`: timestep schedule 1 - s/t over the whole canvas
  Autoregressive,    // one token at a time with a growing KV cache (Qwen2 / LLaMA baselines)
};

enum class CachePolicy { None, Prefix, Dual };
enum class Remasking { LowConfidence, Random };
enum class DreamAlg { Origin, MaskgitPlus, TopkMargin, Entropy };

// Defaults that differ by sampler where GenerationSettings has one field: Dream's `steps`
// (DreamGenerationConfig: 512), iLLaDA's canvas growth `block_length`, and the threshold of the
// llada_threshold sampler (Fast-dLLM's 0.9; the cached samplers default to none).
inline constexpr int64_t kDreamDefaultSteps = 512;
inline constexpr int64_t kILLaDADefaultBlockLength = 32;
inline constexpr double kThresholdSamplerDefault = 0.9;
// lm-eval's max_gen_toks default, for the autoregressive sampler's max_new_tokens.
inline constexpr int64_t kAutoregressiveDefaultMaxNewTokens = 256;

// Every setting of a generation protocol. The initialisers are the defaults of a protocol that
// leaves the field out (generation_protocol.cpp reads them from here).
struct GenerationSettings {
  std::string sampler = "llada";
  SamplerKind kind = SamplerKind::LLaDA;

  // LLaDA family (generate.py defaults).
  int64_t steps = 128;
  int64_t gen_length = 128;
  int64_t block_length = 128;
  double temperature = 0.0;
  double cfg_scale = 0.0;
  Remasking remasking = Remasking::LowConfidence;
  bool logits_eos_inf = false;
  bool confidence_eos_eot_inf = false;
  std::optional<double> threshold;  // commit every masked token with confidence >= threshold (>= 1 per step)
  CachePolicy cache = CachePolicy::None;
  // iLLaDA variable length: the canvas grows by `block_length` masks at a time.
  int64_t max_length = 1024;
  int64_t steps_per_block = 32;

  // Dream (`_sample` / DreamGenerationConfig defaults); the autoregressive sampler shares
  // max_new_tokens, temperature, top_p and top_k (transformers' order: temperature, top_k, top_p).
  int64_t max_new_tokens = 512;
  double eps = 1e-3;
  DreamAlg alg = DreamAlg::Origin;
  double alg_temp = 0.0;
  std::optional<double> top_p;
  std::optional<int64_t> top_k;

  // Special ids: the protocol's, else the checkpoint's (-1 = none).
  int64_t mask_id = -1, eos_id = -1, eot_id = -1;
  // The output ends at the first EOS or EOT.
  bool stop_at_eos = true;
  // Semi-autoregressive samplers stop after the block in which EOS or a stop string was committed.
  bool early_exit = true;

  // Whether any random draw can change the output (temperature, random remasking, Dream origin,
  // alg_temp): such protocols run each request with its own generator.
  bool stochastic() const;
  bool is_llada_family() const { return kind != SamplerKind::Dream && kind != SamplerKind::Autoregressive; }
  // Tokens after the prompt in the fixed canvas (LLaDA: gen_length, Dream and autoregressive:
  // max_new_tokens, varlen: max_length).
  int64_t max_generated_tokens() const;
};

// Every field filled with its default, values checked; ids left null when neither the protocol
// nor `ids` gives them. The result is the complete protocol to record and fingerprint.
Json normalize_generation_protocol(const Json& protocol);
Json normalize_generation_protocol(const Json& protocol, const SpecialIds& ids);
// Parses (and normalizes) a protocol; `ids` supply the ids the protocol leaves out. UserError when
// the mask id is still unknown.
GenerationSettings parse_generation_protocol(const Json& protocol, const SpecialIds& ids);

}  // namespace dlmeval
