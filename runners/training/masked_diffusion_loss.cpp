#include "runners/training/masked_diffusion_loss.h"

namespace dlmeval {

DiffusionLoss masked_diffusion_loss(const Transformer& net, const DiffusionBatch& batch, int64_t mask_id,
                                    at::Generator& generator, double min_t) {
  const int64_t B = batch.ids.size(0);
  const auto float_options = torch::dtype(torch::kFloat32);
  auto u = torch::rand({1}, generator, float_options);
  auto t = (torch::arange(B, float_options) + u) / static_cast<double>(B);
  t = (1.0 - min_t) * t + min_t;
  auto draw = torch::rand(batch.ids.sizes(), generator, float_options);
  auto masked = (draw < t.unsqueeze(1)) & batch.maskable;
  auto noisy = torch::where(masked, torch::full_like(batch.ids, mask_id), batch.ids);

  auto logits = net.forward(noisy, batch.real);
  auto picked_logits = logits.index({masked});            // [M, V]
  auto targets = batch.ids.index({masked});               // [M]
  auto weights = t.unsqueeze(1).expand_as(draw).index({masked});
  auto ce = torch::nn::functional::cross_entropy(
      picked_logits, targets, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  const double denominator = std::max<double>(1.0, batch.maskable.sum().item<double>());
  DiffusionLoss out;
  out.loss = (ce / weights).sum() / denominator;
  out.masked_tokens = targets.size(0);
  return out;
}

}  // namespace dlmeval
