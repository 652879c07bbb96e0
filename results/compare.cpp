#include "results/compare.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "scorers/statistics.h"

namespace dlmeval {
namespace {

std::string short_hash(const std::string& h) { return h.size() > 12 ? h.substr(0, 12) + "…" : h; }

std::string string_field(const Json& record, const char* key) {
  auto it = record.find(key);
  return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Counts shared docs whose `key` hash differs (both present), and names the first.
std::string hash_mismatch(const EvaluationSamples& ea, const EvaluationSamples& eb, const char* key, const char* what) {
  std::map<std::string, std::string> a_hashes;
  for (const auto& r : ea.records) a_hashes[r.at("doc_id").get<std::string>()] = string_field(r, key);
  int64_t shared = 0, differ = 0;
  std::string first;
  for (const auto& r : eb.records) {
    auto it = a_hashes.find(r.at("doc_id").get<std::string>());
    if (it == a_hashes.end()) continue;
    std::string hb = string_field(r, key);
    if (it->second.empty() || hb.empty()) continue;
    ++shared;
    if (hb != it->second) {
      if (differ++ == 0) first = it->first;
    }
  }
  if (differ == 0) return "";
  return fmt::format("{} differs for {} of {} shared docs (first: doc {})", what, differ, shared, first);
}

void diff_json(const std::string& prefix, const Json& a, const Json& b, std::vector<std::string>& out) {
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a.items()) keys.insert(k);
    for (const auto& [k, v] : b.items()) keys.insert(k);
    for (const auto& k : keys) {
      std::string key = prefix.empty() ? k : prefix + "." + k;
      Json va = a.contains(k) ? a.at(k) : Json();
      Json vb = b.contains(k) ? b.at(k) : Json();
      diff_json(key, va, vb, out);
    }
    return;
  }
  if (a != b) {
    auto show = [](const Json& v) { return v.is_null() ? std::string("(unset)") : v.dump(); };
    out.push_back(fmt::format("{}: {} → {}", prefix, show(a), show(b)));
  }
}

std::string format_value(const MetricSummary* m) {
  if (!m) return "—";
  return fmt::format("{:.4f} ± {:.4f} (n={})", m->value, m->stderr_value, m->n);
}

std::string format_p(double p) { return p < 0.001 ? fmt::format("{:.1e}", p) : fmt::format("{:.3f}", p); }

// "cpu_model A → B; threads 2 → 8" for the machine fields two manifests record differently.
std::string machine_differences(const RunManifest& a, const RunManifest& b) {
  const Json ma = a.extra.value("machine", Json::object()), mb = b.extra.value("machine", Json::object());
  if (ma.empty() || mb.empty()) return "";
  std::vector<std::string> out;
  for (const auto& [key, value] : ma.items())
    if (mb.contains(key) && mb[key] != value) out.push_back(fmt::format("{} {} → {}", key, value.dump(), mb[key].dump()));
  return fmt::format("{}", fmt::join(out, "; "));
}

}  // namespace

std::string format_delta(double delta, bool fraction) {
  return fraction ? fmt::format("{:+.2f} pts", delta * 100.0) : fmt::format("{:+.4f}", delta);
}

PairedComparison paired_compare(const std::map<std::string, double>& baseline,
                                const std::map<std::string, double>& candidate, const PairedTestOptions& options) {
  std::vector<double> a, b;
  for (const auto& [doc, value] : baseline) {
    auto it = candidate.find(doc);
    if (it == candidate.end()) continue;
    a.push_back(value);
    b.push_back(it->second);
  }
  PairedComparison c;
  c.n_shared = static_cast<int64_t>(a.size());
  if (a.empty()) return c;
  c.baseline_mean = mean(a);
  c.candidate_mean = mean(b);
  c.binary = is_binary_metric(a) && is_binary_metric(b);
  c.fraction = is_fraction_metric(a) && is_fraction_metric(b);
  PairedInterval ci = paired_bootstrap_ci(a, b, options.confidence, options.bootstrap_resamples, options.seed);
  c.delta = ci.delta;
  c.ci_lower = ci.lower;
  c.ci_upper = ci.upper;
  if (c.binary) {
    DiscordantCounts d = discordant_counts(a, b);
    c.baseline_only = d.a_only;
    c.candidate_only = d.b_only;
    c.p_value = mcnemar_exact_p(d.a_only, d.b_only);
  } else {
    c.p_value = paired_permutation_p(a, b, options.permutation_resamples, options.seed);
  }
  return c;
}

std::vector<std::string> comparability_problems(const LoadedRun& a, const EvaluationSamples& ea, const LoadedRun& b,
                                                const EvaluationSamples& eb) {
  std::vector<std::string> problems;
  const ManifestTask* ta = a.manifest.find_task(ea.task);
  const ManifestTask* tb = b.manifest.find_task(eb.task);
  if (ta && tb) {
    for (const auto& [path, sha] : ta->data_files) {
      auto it = tb->data_files.find(path);
      if (it == tb->data_files.end()) {
        problems.push_back(fmt::format("data file {} is read only by {}", path, a.label));
      } else if (it->second != sha) {
        problems.push_back(
            fmt::format("data file {} sha256 differs ({} vs {})", path, short_hash(sha), short_hash(it->second)));
      }
    }
    for (const auto& [path, sha] : tb->data_files)
      if (!ta->data_files.count(path)) problems.push_back(fmt::format("data file {} is read only by {}", path, b.label));
    if (ta->scoring != tb->scoring)
      problems.push_back(fmt::format("scoring settings differ ({} vs {})", ta->scoring.dump(), tb->scoring.dump()));
    // The task-level fingerprint covers the selected docs, so it only speaks when both selected the same docs.
    bool same_selection = !ta->planned_doc_ids_sha256.empty() && ta->planned_doc_ids_sha256 == tb->planned_doc_ids_sha256;
    if (same_selection && !ta->prompt_fingerprint.empty() && !tb->prompt_fingerprint.empty() &&
        ta->prompt_fingerprint != tb->prompt_fingerprint) {
      problems.push_back(fmt::format("prompt fingerprint differs ({} vs {})", short_hash(ta->prompt_fingerprint),
                                     short_hash(tb->prompt_fingerprint)));
    }
  }
  for (auto [key, what] : {std::pair{"prompt_hash", "prompt"}, std::pair{"doc_hash", "doc content"},
                           std::pair{"target_hash", "target"}}) {
    std::string m = hash_mismatch(ea, eb, key, what);
    if (!m.empty()) problems.push_back(m);
  }
  return problems;
}

std::vector<std::string> protocol_differences(const Json& a, const Json& b) {
  std::vector<std::string> out;
  diff_json("", a, b, out);
  return out;
}

CompareReport compare_runs(const std::vector<LoadedRun>& runs, const CompareOptions& options) {
  CompareReport report;
  report.confidence = options.paired.confidence;
  struct Source {
    const LoadedRun* run;
    const EvaluationSamples* evaluation;
  };
  std::vector<Source> sources;  // parallel to report.columns
  for (size_t r = 0; r < runs.size(); ++r) {
    for (const auto& e : runs[r].evaluations) {
      CompareColumn col;
      col.run_index = r;
      col.label = runs[r].label + "/" + e.protocol;
      col.run_dir = runs[r].dir;
      col.task = e.task;
      col.protocol = e.protocol;
      col.protocol_fingerprint = e.protocol_fingerprint;
      sources.push_back({&runs[r], &e});
      col.summary = summarize_evaluation(runs[r], e, options.aggregate);
      report.columns.push_back(std::move(col));
      if (std::find(report.tasks.begin(), report.tasks.end(), e.task) == report.tasks.end()) report.tasks.push_back(e.task);
      auto& names = report.metrics[e.task];
      for (const auto& m : e.metric_names(runs[r].manifest))
        if (std::find(names.begin(), names.end(), m) == names.end()) names.push_back(m);
    }
  }
  for (const auto& task : report.tasks) {
    size_t baseline = report.columns.size();
    for (size_t c = 0; c < report.columns.size(); ++c) {
      const Source& col = sources[c];
      if (col.evaluation->task != task) continue;
      if (baseline == report.columns.size()) {
        baseline = c;
        continue;
      }
      const Source& base = sources[baseline];
      auto problems = comparability_problems(*base.run, *base.evaluation, *col.run, *col.evaluation);
      const ManifestProtocol* pa = base.run->manifest.find_protocol(base.evaluation->protocol);
      const ManifestProtocol* pb = col.run->manifest.find_protocol(col.evaluation->protocol);
      if (pa && pb && pa->fingerprint != pb->fingerprint) {
        auto diffs = protocol_differences(pa->settings, pb->settings);
        std::string text = fmt::format("fingerprint {} → {}", pa->fingerprint, pb->fingerprint);
        if (!diffs.empty()) text += ": " + fmt::format("{}", fmt::join(diffs, "; "));
        report.protocol_changes.push_back({task, c, baseline, text});
      }
      const ManifestTask* ta = base.run->manifest.find_task(task);
      const ManifestTask* tb = col.run->manifest.find_task(task);
      if (ta && tb && ta->version != tb->version) {
        report.other_notes.push_back({task, c, baseline, fmt::format("task version {} → {}", ta->version, tb->version)});
      }
      // Seconds and tokens per second are comparable only on the same machine and runtime.
      if (base.run != col.run) {
        const std::string differs = machine_differences(base.run->manifest, col.run->manifest);
        if (!differs.empty())
          report.other_notes.push_back({task, c, baseline, "costs measured on different machines: " + differs});
      }
      if (!problems.empty()) {
        for (auto& p : problems) report.not_comparable.push_back({task, c, baseline, std::move(p)});
        continue;
      }
      bool any_shared = false;
      for (const auto& metric : report.metrics[task]) {
        auto a = base.evaluation->metric_by_doc(metric);
        auto b = col.evaluation->metric_by_doc(metric);
        if (a.empty() || b.empty()) continue;
        PairedComparison paired = paired_compare(a, b, options.paired);
        if (paired.n_shared == 0) continue;
        any_shared = true;
        report.deltas.push_back({task, metric, c, baseline, paired});
      }
      if (!any_shared) report.other_notes.push_back({task, c, baseline, "no shared docs to pair"});
    }
  }
  return report;
}

Json CompareReport::to_json() const {
  Json j;
  j["format"] = "dlmeval-compare/1";
  j["confidence"] = confidence;
  j["columns"] = Json::array();
  for (const auto& c : columns) {
    Json metrics = Json::object();
    for (const auto& m : c.summary.metrics) metrics[m.name] = {{"value", m.value}, {"stderr", m.stderr_value}, {"n", m.n}};
    j["columns"].push_back({{"label", c.label},
                            {"run", c.run_dir},
                            {"task", c.task},
                            {"protocol", c.protocol},
                            {"protocol_fingerprint", c.protocol_fingerprint},
                            {"metrics", metrics}});
  }
  j["deltas"] = Json::array();
  for (const auto& d : deltas) {
    j["deltas"].push_back({{"task", d.task},
                           {"metric", d.metric},
                           {"column", columns[d.column].label},
                           {"baseline", columns[d.baseline].label},
                           {"n_shared", d.paired.n_shared},
                           {"baseline_mean", d.paired.baseline_mean},
                           {"candidate_mean", d.paired.candidate_mean},
                           {"delta", d.paired.delta},
                           {"ci", {d.paired.ci_lower, d.paired.ci_upper}},
                           {"p_value", d.paired.p_value},
                           {"test", d.paired.test_name()}});
  }
  auto notes = [&](const std::vector<CompareNote>& list) {
    Json out = Json::array();
    for (const auto& n : list)
      out.push_back({{"task", n.task}, {"column", columns[n.column].label}, {"baseline", columns[n.baseline].label},
                     {"text", n.text}});
    return out;
  };
  j["not_comparable"] = notes(not_comparable);
  j["protocol_changes"] = notes(protocol_changes);
  j["notes"] = notes(other_notes);
  return j;
}

std::string CompareReport::to_markdown() const {
  std::string out = "# dlmeval compare\n\nColumns:\n\n";
  for (size_t c = 0; c < columns.size(); ++c) {
    out += fmt::format("{}. **{}**: task {}, protocol {} (`{}`), run dir {}\n", c + 1, columns[c].label, columns[c].task,
                       columns[c].protocol, columns[c].protocol_fingerprint, columns[c].run_dir);
  }
  // One score table per task, its columns the run x protocol pairs that evaluated it.
  out += "\n## Scores (mean ± bootstrap stderr)\n";
  for (const auto& task : tasks) {
    std::vector<size_t> cols;
    for (size_t c = 0; c < columns.size(); ++c)
      if (columns[c].task == task) cols.push_back(c);
    out += fmt::format("\n### {}\n\n| metric |", task);
    for (size_t c : cols) out += fmt::format(" {} |", columns[c].label);
    out += "\n|---|";
    for (size_t i = 0; i < cols.size(); ++i) out += "---:|";
    out += "\n";
    for (const auto& metric : metrics.at(task)) {
      out += fmt::format("| {} |", metric);
      for (size_t c : cols) out += fmt::format(" {} |", format_value(columns[c].summary.find(metric)));
      out += "\n";
    }
  }
  out += fmt::format("\n## Paired differences against the first column of each task ({:.0f}% CI)\n\n", confidence * 100);
  if (deltas.empty()) {
    out += "(none)\n";
  } else {
    out += "| task | metric | column | baseline | shared docs | baseline | column | Δ | CI | p | test |\n";
    out += "|---|---|---|---|---:|---:|---:|---:|---|---:|---|\n";
    for (const auto& d : deltas) {
      const auto& p = d.paired;
      out += fmt::format("| {} | {} | {} | {} | {} | {:.4f} | {:.4f} | {} | [{}, {}] | {} | {} |\n", d.task, d.metric,
                         columns[d.column].label, columns[d.baseline].label, p.n_shared, p.baseline_mean,
                         p.candidate_mean, format_delta(p.delta, p.fraction), format_delta(p.ci_lower, p.fraction),
                         format_delta(p.ci_upper, p.fraction), format_p(p.p_value), p.test_name());
    }
  }
  auto section = [&](const char* title, const std::vector<CompareNote>& list) {
    if (list.empty()) return;
    out += fmt::format("\n## {}\n\n", title);
    for (const auto& n : list)
      out += fmt::format("- {}: {} vs {}: {}\n", n.task, columns[n.column].label, columns[n.baseline].label, n.text);
  };
  section("Not comparable (data or prompts differ; no difference computed)", not_comparable);
  section("Protocol differences", protocol_changes);
  section("Notes", other_notes);
  return out;
}

}  // namespace dlmeval
