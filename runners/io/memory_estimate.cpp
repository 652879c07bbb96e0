#include "runners/io/memory_estimate.h"

#include <cmath>
#include <cstdio>

#include "harness/core/error.h"

namespace dlmeval {

std::string format_gib(double bytes) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  return buffer;
}

MemoryEstimate estimate_forward_memory(const ModelConfig& c, const ForwardShape& s) {
  // Doubles throughout: a hostile config (d_model 2^40) must give a huge estimate, not an overflow.
  const double t = static_cast<double>(s.tokens_per_row), e = static_cast<double>(s.element_bytes);
  const double d = static_cast<double>(c.d_model), kv = static_cast<double>(c.n_kv_heads) * static_cast<double>(c.head_dim);
  const double q = static_cast<double>(c.n_heads) * static_cast<double>(c.head_dim);
  const double h = static_cast<double>(c.mlp_hidden), v = static_cast<double>(c.vocab_size);
  MemoryEstimate m;
  m.layer_bytes = t * e * (3 * d + q + 2 * kv + q + 3 * h);
  m.attention_bytes = 2.0 * static_cast<double>(c.n_heads) * t * t * 4.0;  // scores and softmax, fp32
  m.logits_bytes = 3.0 * t * v * 4.0;
  m.cache_bytes = s.kv_cache ? 2.0 * static_cast<double>(c.n_layers) * t * kv * e : 0.0;
  m.per_row_bytes = m.layer_bytes + m.attention_bytes + m.logits_bytes + m.cache_bytes;
  m.total_bytes = m.per_row_bytes * static_cast<double>(s.rows);
  return m;
}

void check_forward_memory(const MemoryEstimate& m, int64_t rows, double available, const std::string& what,
                          const std::string& device) {
  if (m.total_bytes <= available) return;
  const std::string parts = "(per sequence: layer " + format_gib(m.layer_bytes) + ", attention " +
                            format_gib(m.attention_bytes) + ", logits " + format_gib(m.logits_bytes) +
                            (m.cache_bytes > 0 ? ", KV cache " + format_gib(m.cache_bytes) : std::string()) + ")";
  const std::string head = what + " of " + std::to_string(rows) + " sequence" + (rows == 1 ? "" : "s") +
                           " needs an estimated " + format_gib(m.total_bytes) + " " + parts + " but " + device +
                           " has " + format_gib(available) + " available";
  const double fits = std::floor(available / m.per_row_bytes);
  if (fits < 1)
    throw UserError(head + "; it cannot fit even at batch size 1: shorten the prompt or generation length "
                           "(--device-memory-gib overrides the detected memory)");
  throw UserError(head + "; at most " + std::to_string(static_cast<int64_t>(fits)) +
                  " fit in one batch: lower the batch size (--batch-size; --device-memory-gib overrides the detected memory)");
}

}  // namespace dlmeval
