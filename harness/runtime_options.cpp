#include "harness/runtime_options.h"

namespace dlmeval {

RuntimeOptions ModelArgs::resolved() const {
  RuntimeOptions r = runtime;
  if (mask_id >= 0) r.mask_id = mask_id;
  if (eos_id >= 0) r.eos_id = eos_id;
  if (eot_id >= 0) r.eot_id = eot_id;
  return r;
}

void add_model_options(CLI::App& app, ModelArgs& args, bool model_required) {
  auto* model = app.add_option("--model", args.model_dir, "Checkpoint folder (config.json, *.safetensors, tokenizer.json)");
  if (model_required) model->required();
  app.add_option("--device", args.runtime.device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--dtype", args.runtime.dtype, "Compute dtype: f32 or bf16")
      ->check(CLI::IsMember({"f32", "bf16"}))->capture_default_str();
  app.add_option("--threads", args.runtime.threads, "CPU threads (0 = all cores)")->capture_default_str();
  app.add_option("--mask-id", args.mask_id, "Override the mask token id");
  app.add_option("--eos-id", args.eos_id, "Override the end-of-sequence id");
  app.add_option("--eot-id", args.eot_id, "Override the end-of-turn id");
  app.add_option("--max-sequence-length", args.runtime.max_sequence_length,
                 "Longest prompt + generation accepted (default: the checkpoint's; raise only for a model that "
                 "extrapolates)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--device-memory-gib", args.runtime.device_memory_gib,
                 "Memory a batch may use beyond the weights, in GiB (default: what the device has free); a batch "
                 "estimated to need more is refused before any model work")
      ->check(CLI::NonNegativeNumber);
}

}  // namespace dlmeval
