#include "runners/forward_file.h"

#include <chrono>

#include "harness/core/error.h"
#include "runners/device.h"
#include "runners/model.h"
#include "runners/request_limits.h"
#include "runners/tensor_file.h"

namespace dlmeval {

namespace {

ForwardFileReport forward_file(const std::string& model_dir, const RuntimeOptions& options,
                               const std::string& input_path, const std::string& output_path) {
  auto inputs = read_tensor_file(input_path);
  auto it = inputs.find("input_ids");
  if (it == inputs.end()) throw UserError(input_path + ": tensor 'input_ids' is missing");
  auto ids = it->second;
  if (ids.dim() != 2 || (ids.scalar_type() != torch::kInt64 && ids.scalar_type() != torch::kInt32))
    throw UserError(input_path + ": 'input_ids' must be I64 [B,T]");
  std::optional<torch::Tensor> mask;
  if (auto m = inputs.find("attention_mask"); m != inputs.end()) {
    if (m->second.sizes() != ids.sizes())
      throw UserError(input_path + ": 'attention_mask' shape must equal 'input_ids' shape");
    if (m->second.scalar_type() != torch::kInt64 && m->second.scalar_type() != torch::kBool)
      throw UserError(input_path + ": 'attention_mask' must be I64 or BOOL");
    mask = m->second;
  }
  auto model = load_model(model_dir, options);
  if ((ids < 0).any().item<bool>() || (ids >= model->config.vocab_size).any().item<bool>())
    throw UserError(input_path + ": 'input_ids' holds ids outside the vocabulary [0, " +
                    std::to_string(model->config.vocab_size) + ")");
  check_sequence_length(ids.size(1), 0, model->config.max_sequence_length);
  check_batch_memory(*model, ids.size(0), ids.size(1), false, "forward batch");
  torch::NoGradGuard no_grad;
  auto start = std::chrono::steady_clock::now();
  auto logits = model->net->forward(ids.to(torch::kLong), mask);
  ForwardFileReport report;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.batch = ids.size(0);
  report.tokens = ids.size(1);
  report.vocab = logits.size(2);
  write_tensor_file(output_path, {{"logits", logits}});
  return report;
}

}  // namespace

ForwardFileReport run_forward_file(const std::string& model_dir, const RuntimeOptions& options,
                                   const std::string& input_path, const std::string& output_path) {
  try {
    return forward_file(model_dir, options, input_path, output_path);
  } catch (const c10::Error& e) {
    throw UserError(input_path + ": LibTorch refused the input: " + first_line(e));
  }
}

}  // namespace dlmeval
