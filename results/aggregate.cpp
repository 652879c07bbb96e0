#include "results/aggregate.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "harness/core/model_cost.h"
#include "scorers/sandbox.h"
#include "scorers/statistics.h"

namespace dlmeval {
namespace {

double number_field(const Json& record, const char* key) {
  auto it = record.find(key);
  return it != record.end() && it->is_number() ? it->get<double>() : 0.0;
}

CostSummary summarize_cost(const EvaluationSamples& samples) {
  CostSummary c;
  if (samples.records.empty()) return c;
  for (const auto& r : samples.records) {
    const ModelCost m = ModelCost::from_json(r.value("cost", Json::object()));
    c.forward_passes += number_field(r, "forward_passes");
    c.rows += static_cast<double>(m.rows);
    c.tokens_computed += static_cast<double>(m.tokens_computed);
    c.tokens_cached += static_cast<double>(m.tokens_cached);
    c.head_tokens += static_cast<double>(m.head_tokens);
    c.flops += m.flops;
    c.seconds += number_field(r, "seconds");
    c.model_seconds += m.model_seconds;
    c.generated_tokens += number_field(r, "generated_tokens");
    c.peak_memory_bytes = std::max(c.peak_memory_bytes, m.peak_memory_bytes);
  }
  c.model_share = c.seconds > 0 ? c.model_seconds / c.seconds : 0.0;
  c.tokens_per_call = c.forward_passes > 0 ? c.generated_tokens / c.forward_passes : 0.0;
  const double n = static_cast<double>(samples.records.size());
  for (double* total : {&c.forward_passes, &c.rows, &c.tokens_computed, &c.tokens_cached, &c.head_tokens, &c.flops,
                        &c.seconds, &c.model_seconds, &c.generated_tokens})
    *total /= n;
  return c;
}

}  // namespace

Json CostSummary::to_json() const {
  return {{"forward_passes_per_doc", forward_passes}, {"rows_per_doc", rows},
          {"tokens_computed_per_doc", tokens_computed}, {"tokens_cached_per_doc", tokens_cached},
          {"head_tokens_per_doc", head_tokens},     {"flops_per_doc", flops},
          {"seconds_per_doc", seconds},             {"model_seconds_per_doc", model_seconds},
          {"model_share", model_share},             {"generated_tokens_per_doc", generated_tokens},
          {"tokens_per_call", tokens_per_call},     {"peak_memory_bytes", peak_memory_bytes}};
}

double mean_record_field(const EvaluationSamples& samples, const char* key) {
  if (samples.records.empty()) return 0;
  double sum = 0;
  for (const auto& r : samples.records) sum += number_field(r, key);
  return sum / static_cast<double>(samples.records.size());
}

const MetricSummary* EvaluationSummary::find(const std::string& metric) const {
  for (const auto& m : metrics)
    if (m.name == metric) return &m;
  return nullptr;
}

bool is_fraction_metric(const std::vector<double>& values) {
  for (double v : values)
    if (!(v >= 0.0 && v <= 1.0)) return false;
  return true;
}

bool is_binary_metric(const std::vector<double>& values) {
  for (double v : values)
    if (v != 0.0 && v != 1.0) return false;
  return true;
}

EvaluationSummary summarize_evaluation(const LoadedRun& run, const EvaluationSamples& samples,
                                       const AggregateOptions& options) {
  EvaluationSummary s;
  s.task = samples.task;
  s.protocol = samples.protocol;
  s.protocol_fingerprint = samples.protocol_fingerprint;
  s.n_docs = static_cast<int64_t>(samples.records.size());
  if (const ManifestTask* t = run.manifest.find_task(samples.task)) s.planned_docs = t->shard_docs;
  for (const auto& name : samples.metric_names(run.manifest)) {
    std::vector<double> values = samples.metric_values(name);
    if (values.empty()) continue;
    MetricSummary m;
    m.name = name;
    m.value = mean(values);
    m.stderr_value = bootstrap_stderr(values, options.bootstrap_resamples, options.seed);
    m.n = static_cast<int64_t>(values.size());
    m.binary = is_binary_metric(values);
    s.metrics.push_back(std::move(m));
  }
  double passes = 0, tokens = 0;
  for (const auto& r : samples.records) {
    passes += number_field(r, "forward_passes");
    tokens += number_field(r, "generated_tokens");
    s.total_seconds += number_field(r, "seconds");
    if (r.contains("filtered_resps")) count_program_statuses(r["filtered_resps"], s.program_status);
  }
  int64_t max_tokens = 0;
  if (const ManifestProtocol* p = run.manifest.find_protocol(samples.protocol)) max_tokens = protocol_max_tokens(p->settings);
  s.collapse = summarize_collapse(samples, max_tokens);
  s.cost = summarize_cost(samples);
  if (s.n_docs > 0) {
    s.mean_forward_passes = passes / static_cast<double>(s.n_docs);
    s.mean_generated_tokens = tokens / static_cast<double>(s.n_docs);
  }
  return s;
}

std::string EvaluationSummary::program_status_line() const { return format_status_counts(program_status); }

RunSummary summarize_run(const LoadedRun& run, const AggregateOptions& options) {
  RunSummary summary;
  summary.run_label = run.label;
  for (const auto& e : run.evaluations) summary.evaluations.push_back(summarize_evaluation(run, e, options));
  return summary;
}

Json RunSummary::to_json() const {
  Json j;
  j["format"] = "dlmeval-summary/1";
  j["run"] = run_label;
  j["results"] = Json::array();
  for (const auto& e : evaluations) {
    Json metrics = Json::object();
    for (const auto& m : e.metrics) {
      metrics[m.name] = {{"value", m.value}, {"stderr", m.stderr_value}, {"n", m.n}, {"binary", m.binary}};
    }
    j["results"].push_back({{"task", e.task},
                            {"protocol", e.protocol},
                            {"protocol_fingerprint", e.protocol_fingerprint},
                            {"n_docs", e.n_docs},
                            {"planned_docs", e.planned_docs},
                            {"metrics", metrics},
                            {"mean_forward_passes", e.mean_forward_passes},
                            {"mean_generated_tokens", e.mean_generated_tokens},
                            {"total_seconds", e.total_seconds}});
    if (!e.program_status.empty()) j["results"].back()["program_status"] = e.program_status;
    if (e.collapse.samples > 0) j["results"].back()["collapse"] = e.collapse.to_json();
    j["results"].back()["cost"] = e.cost.to_json();
  }
  return j;
}

std::string RunSummary::to_markdown() const {
  std::string out = fmt::format("# dlmeval summary: {}\n\n", run_label);
  out += "| task | protocol | metric | value | stderr | n | forward passes/doc |\n";
  out += "|---|---|---|---:|---:|---:|---:|\n";
  for (const auto& e : evaluations) {
    std::string protocol = fmt::format("{} (`{}`)", e.protocol, e.protocol_fingerprint);
    if (e.metrics.empty()) {
      out += fmt::format("| {} | {} | — | — | — | 0 | — |\n", e.task, protocol);
      continue;
    }
    for (const auto& m : e.metrics) {
      out += fmt::format("| {} | {} | {} | {:.4f} | {:.4f} | {} | {:.1f} |\n", e.task, protocol, m.name, m.value,
                         m.stderr_value, m.n, e.mean_forward_passes);
    }
  }
  bool programs = false;
  for (const auto& e : evaluations) programs |= !e.program_status.empty();
  if (programs) {
    out += "\nPrograms run in the sandbox (a timeout fails the sample):\n\n";
    for (const auto& e : evaluations)
      if (!e.program_status.empty()) out += fmt::format("- {} / {}: {}\n", e.task, e.protocol, e.program_status_line());
  }
  bool generated = false;
  for (const auto& e : evaluations) generated |= e.collapse.samples > 0;
  if (generated) {
    out += "\nCollapse diagnostics (share of answers; tokens generated at p10 / p50 / p90 / max of the limit):\n\n";
    out += "| task | protocol | answers | empty | whitespace | at length limit | invalid extraction | tokens |\n";
    out += "|---|---|---:|---:|---:|---:|---:|---|\n";
    auto cell = [](const CollapseSummary& c, const char* name) {
      auto it = c.shares.find(name);
      return it == c.shares.end() ? std::string("—") : fmt::format("{:.3f}", it->second);
    };
    for (const auto& e : evaluations) {
      if (e.collapse.samples == 0) continue;
      std::string lengths;
      for (int64_t q : e.collapse.length_quantiles) lengths += (lengths.empty() ? "" : " / ") + std::to_string(q);
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} of {} |\n", e.task, e.protocol, e.collapse.samples,
                         cell(e.collapse, "empty_output"), cell(e.collapse, "whitespace_output"),
                         cell(e.collapse, "length_limit"), cell(e.collapse, "invalid_extraction"),
                         lengths.empty() ? "—" : lengths, e.collapse.max_tokens);
    }
  }
  out += "\nCost per doc (FLOPs estimated from the model's shape; tokens computed and read from a KV cache; "
         "generated tokens per model call; share of wall time in the model):\n\n";
  out += "| task | protocol | model calls | rows | tokens computed | tokens cached | FLOPs | seconds | in model | "
         "tokens / call | peak memory |\n";
  out += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& e : evaluations) {
    const CostSummary& c = e.cost;
    out += fmt::format("| {} | {} | {:.1f} | {:.1f} | {:.0f} | {:.0f} | {:.3g} | {:.4f} | {:.0f}% | {} | {} |\n", e.task,
                       e.protocol, c.forward_passes, c.rows, c.tokens_computed, c.tokens_cached, c.flops, c.seconds,
                       100.0 * c.model_share, c.generated_tokens > 0 ? fmt::format("{:.2f}", c.tokens_per_call) : "—",
                       c.peak_memory_bytes > 0 ? fmt::format("{:.2f} GiB", static_cast<double>(c.peak_memory_bytes) /
                                                                               (1024.0 * 1024.0 * 1024.0))
                                               : "—");
  }
  bool incomplete = false;
  for (const auto& e : evaluations) incomplete |= e.planned_docs > 0 && e.n_docs < e.planned_docs;
  if (incomplete) {
    out += "\nIncomplete:\n\n";
    for (const auto& e : evaluations)
      if (e.planned_docs > 0 && e.n_docs < e.planned_docs)
        out += fmt::format("- {} / {}: {} of {} docs scored\n", e.task, e.protocol, e.n_docs, e.planned_docs);
  }
  return out;
}

RunSummary write_summary(const std::string& run_dir, const AggregateOptions& options) {
  RunSummary summary = summarize_run(load_run(run_dir), options);
  write_json_file_atomic((std::filesystem::path(run_dir) / "summary.json").string(), summary.to_json());
  write_text_file_atomic((std::filesystem::path(run_dir) / "summary.md").string(), summary.to_markdown());
  return summary;
}

}  // namespace dlmeval
