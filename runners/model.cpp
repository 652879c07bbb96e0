#include "runners/model.h"

#include <filesystem>
#include <thread>

#include "harness/core/error.h"
#include "runners/host_memory.h"
#include "runners/tokenizer/tokenizer.h"

namespace dlmeval {

Json SpecialIds::to_json() const {
  return {{"mask_id", mask_id}, {"eos_id", eos_id}, {"eot_id", eot_id}, {"pad_id", pad_id}, {"bos_id", bos_id}};
}

void configure_threads(int threads) {
  int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
}

SpecialIds resolve_special_ids(const ModelConfig& config, const Tokenizer* tokenizer, const RuntimeOptions& options) {
  SpecialIds ids;
  ids.mask_id = config.mask_token_id;
  ids.eos_id = config.eos_token_id;
  ids.pad_id = config.pad_token_id;
  ids.bos_id = config.bos_token_id;
  if (tokenizer != nullptr) {
    auto lookup = [&](std::initializer_list<const char*> names) -> int64_t {
      for (const char* n : names)
        if (auto id = tokenizer->token_to_id(n)) return *id;
      return -1;
    };
    if (ids.mask_id < 0) ids.mask_id = lookup({"<|mdm_mask|>", "<|mask|>", "[MASK]", "<mask>"});
    if (ids.eos_id < 0) {
      if (auto eos = tokenizer->eos_token()) ids.eos_id = lookup({eos->c_str()});
    }
    if (ids.pad_id < 0) {
      if (auto pad = tokenizer->pad_token()) ids.pad_id = lookup({pad->c_str()});
    }
    if (ids.bos_id < 0) {
      if (auto bos = tokenizer->bos_token()) ids.bos_id = lookup({bos->c_str()});
    }
    ids.eot_id = lookup({"<|eot_id|>", "<|im_end|>", "<|end_of_turn|>"});
  }
  if (options.mask_id) ids.mask_id = *options.mask_id;
  if (options.eos_id) ids.eos_id = *options.eos_id;
  if (options.eot_id) ids.eot_id = *options.eot_id;
  if (ids.pad_id < 0) ids.pad_id = ids.eos_id;
  return ids;
}

std::shared_ptr<LoadedModel> load_model(const std::string& dir, const RuntimeOptions& options) {
  auto model = std::make_shared<LoadedModel>();
  model->dir = dir;
  model->options = options;
  configure_threads(options.threads);
  keep_freed_host_memory();
  Checkpoint ck = Checkpoint::open(dir);
  model->config = ck.config();
  if (options.max_sequence_length > 0) model->config.max_sequence_length = options.max_sequence_length;
  model->stored_dtype = ck.stored_dtype();
  const std::string tokenizer_path = (std::filesystem::path(dir) / "tokenizer.json").string();
  if (std::filesystem::exists(tokenizer_path))
    model->tokenizer = std::make_shared<Tokenizer>(Tokenizer::load(dir));
  model->ids = resolve_special_ids(model->config, model->tokenizer.get(), options);
  // An autoregressive baseline never reads a mask id.
  if (model->config.causal) model->ids.mask_id = -1;
  else if (model->ids.mask_id < 0 || model->ids.mask_id >= model->config.vocab_size)
    throw UserError(dir + ": no usable mask token id (set mask_token_id in config.json or pass --mask-id)");
  const auto device = parse_device(options.device);
  const auto dtype = parse_compute_dtype(options.dtype);
  model->net = std::make_shared<Transformer>(model->config, load_weights(ck, device, dtype), device, dtype);
  return model;
}

}  // namespace dlmeval
