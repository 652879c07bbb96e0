#include "runners/samplers/sampler.h"

#include <ATen/CPUGeneratorImpl.h>

#include "harness/core/error.h"
#include "runners/request_limits.h"
#include "runners/model.h"
#include "runners/samplers/sampler_loops.h"

namespace dlmeval {

namespace {

void check_inputs(const torch::Tensor& prompt, const std::optional<torch::Tensor>& mask, int64_t vocab) {
  if (prompt.dim() != 2 || prompt.size(0) == 0 || prompt.size(1) == 0)
    throw UserError("prompt_ids must be a non-empty [batch, length] array");
  if (prompt.scalar_type() != torch::kLong && prompt.scalar_type() != torch::kInt)
    throw UserError("prompt_ids must hold integer token ids");
  if ((prompt < 0).any().item<bool>() || (prompt >= vocab).any().item<bool>())
    throw UserError("prompt_ids hold ids outside the vocabulary [0, " + std::to_string(vocab) + ")");
  if (mask && mask->sizes() != prompt.sizes()) throw UserError("attention_mask must have the shape of prompt_ids");
}

}  // namespace

void check_sampler_fits(const GenerationSettings& settings, const ModelConfig& config, const std::string& where) {
  const bool fits = settings.kind == SamplerKind::Dream            ? config.architecture == Architecture::Dream
                    : settings.kind == SamplerKind::Autoregressive ? config.causal
                                                                   : config.architecture == Architecture::LLaDA;
  if (!fits)
    throw UserError(where + ": sampler '" + settings.sampler + "' does not fit a " + config.architecture_name +
                    " checkpoint");
}

SamplerOutput generate_tokens(const Transformer& net, const GenerationSettings& settings, const torch::Tensor& prompt_ids,
                              const std::optional<torch::Tensor>& attention_mask, torch::Generator& gen,
                              const StopRule* stop, const StepCallback* callback) {
  check_inputs(prompt_ids, attention_mask, net.config().vocab_size);
  check_sequence_length(prompt_ids.size(1), settings.max_generated_tokens(), net.config().max_sequence_length);
  torch::NoGradGuard no_grad;
  auto prompt = prompt_ids.to(net.device(), torch::kLong);
  std::optional<torch::Tensor> mask;
  if (attention_mask) mask = attention_mask->to(net.device(), torch::kLong);
  switch (settings.kind) {
    case SamplerKind::Dream:
      return run_dream(net, settings, prompt, mask, gen, callback);
    case SamplerKind::Autoregressive:
      return run_autoregressive(net, settings, prompt, mask, gen, stop, callback);
    case SamplerKind::ILLaDAVarlen:
      return run_illada_varlen(net, settings, prompt, mask, gen, stop, callback);
    default:
      return run_llada_blocks(net, settings, prompt, mask, gen, stop, callback);
  }
}

SamplerOutput generate_tokens(const LoadedModel& model, const torch::Tensor& prompt_ids,
                              const std::optional<torch::Tensor>& attention_mask, const Json& protocol, uint64_t seed,
                              const StopRule* stop, const StepCallback* callback) {
  const GenerationSettings settings = parse_generation_protocol(protocol, model.ids);
  check_sampler_fits(settings, model.config, "generation protocol field 'sampler'");
  if (prompt_ids.dim() == 2) {
    check_sequence_length(prompt_ids.size(1), settings.max_generated_tokens(), model.config.max_sequence_length);
    check_generation_memory(model, settings, prompt_ids.size(0), prompt_ids.size(1));
  }
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  return generate_tokens(*model.net, settings, prompt_ids, attention_mask, gen, stop, callback);
}

}  // namespace dlmeval
