// The in-process Runner: one loaded checkpoint serving generation and choice requests.
#include <torch/torch.h>

#include "harness/core/error.h"
#include "runners/choice/choice_scoring.h"
#include "runners/device.h"
#include "runners/model.h"
#include "runners/runtime_info.h"
#include "runners/samplers/generation.h"
#include "runners/tokenizer/tokenizer.h"

namespace dlmeval {
namespace {

// LibTorch's errors reach the harness as one UserError line (the caller adds task and documents);
// its backtrace is dropped.
template <class Work>
auto one_line_errors(Work&& work) {
  try {
    return work();
  } catch (const c10::Error& e) {
    throw UserError(std::string(is_out_of_memory(e) ? "out of memory: " : "LibTorch refused the batch: ") + first_line(e));
  }
}

class LibTorchRunner : public Runner {
 public:
  explicit LibTorchRunner(std::shared_ptr<LoadedModel> model) : model_(std::move(model)) {}

  std::vector<GenerationResult> generate(const std::vector<GenerationRequest>& batch) override {
    torch::NoGradGuard no_grad;
    return one_line_errors([&] { return generate_requests(*model_, batch); });
  }

  std::vector<ChoiceResult> score_choices(const std::vector<ChoiceRequest>& batch) override {
    torch::NoGradGuard no_grad;
    return one_line_errors([&] { return score_choice_requests(*model_, batch); });
  }

  const SpecialIds& special_ids() const override { return model_->ids; }

  TokenIds encode(const std::string& text) const override { return tokenizer().encode(text, false); }

  std::string decode(const TokenIds& ids, bool skip_special) const override {
    return tokenizer().decode(ids, skip_special);
  }

  std::string apply_chat_template(const Json& messages, bool add_generation_prompt) const override {
    return tokenizer().apply_chat_template(messages, add_generation_prompt);
  }

  Json describe() const override {
    const auto& c = model_->config;
    return {{"model_dir", model_->dir},
            {"architecture", c.architecture_name},
            {"parameters", c.parameter_count()},
            {"stored_dtype", model_->stored_dtype},
            {"device", model_->options.device},
            {"device_name", dlmeval::describe(model_->net->device()).name},
            {"cuda_devices", cuda_device_count()},
            {"dtype", model_->options.dtype},
            {"threads", torch_threads()},
            {"libtorch", libtorch_version()},
            {"special_ids", model_->ids.to_json()},
            {"config", c.raw}};
  }

 private:
  const Tokenizer& tokenizer() const {
    if (!model_->tokenizer)
      throw UserError(model_->dir + ": this checkpoint has no tokenizer.json; text tasks need one");
    return *model_->tokenizer;
  }
  std::shared_ptr<LoadedModel> model_;
};

}  // namespace

std::unique_ptr<Runner> open_libtorch_runner(const std::string& model_dir, const RuntimeOptions& options) {
  return std::make_unique<LibTorchRunner>(load_model(model_dir, options));
}

}  // namespace dlmeval
