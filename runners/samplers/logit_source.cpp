#include "runners/samplers/logit_source.h"

namespace dlmeval {

LogitSource::LogitSource(const Transformer& net, std::optional<torch::Tensor> attention_mask, CachePolicy cache,
                         double cfg_scale, torch::Tensor prompt_positions, int64_t mask_id)
    : net_(net), cache_policy_(cache), cfg_scale_(cfg_scale), prompt_positions_(std::move(prompt_positions)), mask_id_(mask_id) {
  if (attention_mask) mask_ = cfg_scale_ > 0 ? torch::cat({*attention_mask, *attention_mask}, 0) : *attention_mask;
}

torch::Tensor LogitSource::model_input(const torch::Tensor& x) const {
  if (cfg_scale_ <= 0) return x;
  auto unconditional = x.masked_fill(prompt_positions_, mask_id_);
  return torch::cat({x, unconditional}, 0);
}

torch::Tensor LogitSource::guided(const torch::Tensor& logits) const {
  if (cfg_scale_ <= 0) return logits;
  auto halves = logits.chunk(2, 0);
  const auto& cond = halves[0];
  const auto& uncond = halves[1];
  return uncond + (cfg_scale_ + 1) * (cond - uncond);
}

LogitSource::Window LogitSource::logits(const torch::Tensor& x, int64_t block_start, int64_t block_end, bool refresh) {
  ++forward_passes_;
  auto input = model_input(x);
  // Only the block's logits are read: the rest of the canvas is not projected onto the vocabulary.
  const int64_t block = block_end - block_start;
  if (cache_policy_ == CachePolicy::None)
    return {guided(net_.forward_head_range(input, mask_, block_start, block)), block_start};
  if (refresh || cache_.empty())
    return {guided(net_.forward_head_range(input, mask_, block_start, block, &cache_)), block_start};
  const int64_t end = cache_policy_ == CachePolicy::Prefix ? x.size(1) : block_end;
  auto window = input.narrow(1, block_start, end - block_start);
  return {guided(net_.forward_window_head_range(window, block_start, mask_, cache_, 0, block)), block_start};
}

}  // namespace dlmeval
