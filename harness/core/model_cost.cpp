#include "harness/core/model_cost.h"

#include <algorithm>

namespace dlmeval {

ModelCost& ModelCost::operator+=(const ModelCost& o) {
  rows += o.rows;
  tokens_computed += o.tokens_computed;
  tokens_cached += o.tokens_cached;
  head_tokens += o.head_tokens;
  flops += o.flops;
  model_seconds += o.model_seconds;
  peak_memory_bytes = std::max(peak_memory_bytes, o.peak_memory_bytes);
  return *this;
}

ModelCost ModelCost::difference(const ModelCost& after, const ModelCost& before) {
  ModelCost d = after;
  d.rows -= before.rows;
  d.tokens_computed -= before.tokens_computed;
  d.tokens_cached -= before.tokens_cached;
  d.head_tokens -= before.head_tokens;
  d.flops -= before.flops;
  d.model_seconds -= before.model_seconds;
  return d;
}

ModelCost ModelCost::share(int64_t n) const {
  if (n <= 1) return *this;
  ModelCost s = *this;
  s.rows /= n;
  s.tokens_computed /= n;
  s.tokens_cached /= n;
  s.head_tokens /= n;
  s.flops /= static_cast<double>(n);
  s.model_seconds /= static_cast<double>(n);
  return s;
}

Json ModelCost::to_json() const {
  return {{"rows", rows},
          {"tokens_computed", tokens_computed},
          {"tokens_cached", tokens_cached},
          {"head_tokens", head_tokens},
          {"flops", flops},
          {"model_seconds", model_seconds},
          {"peak_memory_bytes", peak_memory_bytes}};
}

ModelCost ModelCost::from_json(const Json& j) {
  ModelCost c;
  if (!j.is_object()) return c;
  auto integer = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<int64_t>() : int64_t{0};
  };
  auto real = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
  };
  c.rows = integer("rows");
  c.tokens_computed = integer("tokens_computed");
  c.tokens_cached = integer("tokens_cached");
  c.head_tokens = integer("head_tokens");
  c.flops = real("flops");
  c.model_seconds = real("model_seconds");
  c.peak_memory_bytes = integer("peak_memory_bytes");
  return c;
}

}  // namespace dlmeval
