#include "results/regress.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "harness/core/error.h"
#include "results/collapse.h"

namespace dlmeval {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters even when escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string format_p(double p) { return p < 0.001 ? fmt::format("{:.1e}", p) : fmt::format("{:.3f}", p); }

std::string unit(const PairedComparison& p) { return p.fraction ? " pts" : ""; }

// The allowance of a check: a metric's drop, or a collapse share's rise.
double allowed_for(const RegressCheck& c, const RegressOptions& o) {
  return c.collapse ? o.max_collapse_rise_points : o.max_drop_points;
}

std::string describe(const RegressCheck& c, const RegressOptions& o) {
  const auto& p = c.paired;
  return fmt::format("{} {} on {} shared docs: {:.4f} -> {:.4f} ({} {:.2f}{}, allowed {:.2f}; {} p = {})", c.task,
                     c.metric, p.n_shared, p.baseline_mean, p.candidate_mean, c.collapse ? "rise" : "drop", c.drop,
                     c.collapse ? " pts" : unit(p), allowed_for(c, o), p.test_name(), format_p(p.p_value));
}

void check_pair(const LoadedRun& baseline, const EvaluationSamples& eb, const LoadedRun& candidate,
                const EvaluationSamples& ec, const RegressOptions& options, RegressResult& result) {
  auto problems = comparability_problems(baseline, eb, candidate, ec);
  if (!problems.empty()) {
    for (const auto& p : problems) result.mismatches.push_back(eb.task + ": " + p);
    return;
  }
  if (eb.protocol_fingerprint != ec.protocol_fingerprint) {
    result.notes.push_back(fmt::format("{}: protocol {} ({}) vs {} ({})", eb.task, eb.protocol, eb.protocol_fingerprint,
                                       ec.protocol, ec.protocol_fingerprint));
  }
  std::vector<std::string> metrics = options.metrics;
  if (metrics.empty()) {
    for (const auto& m : eb.metric_names(baseline.manifest)) {
      auto names = ec.metric_names(candidate.manifest);
      if (std::find(names.begin(), names.end(), m) != names.end()) metrics.push_back(m);
    }
  }
  for (const auto& metric : metrics) {
    auto a = eb.metric_by_doc(metric);
    auto b = ec.metric_by_doc(metric);
    RegressCheck check;
    check.task = eb.task;
    check.baseline_protocol = eb.protocol;
    check.candidate_protocol = ec.protocol;
    check.metric = metric;
    check.paired = paired_compare(a, b, options.paired);
    if (check.paired.n_shared == 0) {
      result.notes.push_back(fmt::format("{} {}: no shared docs carry this metric", eb.task, metric));
      continue;
    }
    double scale = check.paired.fraction ? 100.0 : 1.0;
    check.drop = -check.paired.delta * scale;
    check.significant = check.paired.p_value < options.alpha;
    check.regression = check.drop > options.max_drop_points && check.significant;
    result.checks.push_back(std::move(check));
  }
  if (!options.gate_collapse) return;
  const ManifestProtocol* pb = baseline.manifest.find_protocol(eb.protocol);
  const ManifestProtocol* pc = candidate.manifest.find_protocol(ec.protocol);
  const int64_t max_b = pb ? protocol_max_tokens(pb->settings) : 0, max_c = pc ? protocol_max_tokens(pc->settings) : 0;
  for (const auto& diagnostic : collapse_diagnostic_names()) {
    const auto a = collapse_by_doc(eb, diagnostic, max_b);
    const auto b = collapse_by_doc(ec, diagnostic, max_c);
    if (a.empty() || b.empty()) continue;
    // A share that is zero on every doc of both runs has nothing to say; it is left out of the report.
    auto all_zero = [](const std::map<std::string, double>& m) {
      return std::all_of(m.begin(), m.end(), [](const auto& kv) { return kv.second == 0.0; });
    };
    if (all_zero(a) && all_zero(b)) continue;
    RegressCheck check;
    check.task = eb.task;
    check.baseline_protocol = eb.protocol;
    check.candidate_protocol = ec.protocol;
    check.metric = diagnostic;
    check.collapse = true;
    check.paired = paired_compare(a, b, options.paired);
    if (check.paired.n_shared == 0) continue;
    check.drop = check.paired.delta * 100.0;  // its rise
    check.significant = check.paired.p_value < options.alpha;
    check.regression = check.drop > options.max_collapse_rise_points && check.significant;
    result.checks.push_back(std::move(check));
  }
}

}  // namespace

size_t RegressResult::regression_count() const {
  return static_cast<size_t>(std::count_if(checks.begin(), checks.end(), [](const auto& c) { return c.regression; }));
}

int RegressResult::exit_code() const {
  if (!mismatches.empty()) return 2;
  return regression_count() > 0 ? 1 : 0;
}

RegressResult regress(const LoadedRun& baseline, const LoadedRun& candidate, const RegressOptions& options) {
  RegressResult result;
  result.options = options;
  result.baseline_label = baseline.label;
  result.candidate_label = candidate.label;
  std::set<const EvaluationSamples*> used;
  bool any_pair = false;
  for (const auto& eb : baseline.evaluations) {
    const EvaluationSamples* ec = candidate.find(eb.task, eb.protocol);
    if (!ec) {
      auto b_list = baseline.for_task(eb.task);
      auto c_list = candidate.for_task(eb.task);
      if (b_list.size() == 1 && c_list.size() == 1) ec = c_list.front();
    }
    if (!ec) {
      result.notes.push_back(fmt::format("{} / {}: not evaluated by the candidate", eb.task, eb.protocol));
      continue;
    }
    used.insert(ec);
    any_pair = true;
    check_pair(baseline, eb, candidate, *ec, options, result);
  }
  for (const auto& ec : candidate.evaluations)
    if (!used.count(&ec)) result.notes.push_back(fmt::format("{} / {}: not evaluated by the baseline", ec.task, ec.protocol));
  if (!any_pair) {
    throw UserError("regress: " + baseline.dir + " and " + candidate.dir + " share no task; nothing to compare");
  }
  for (const auto& metric : options.metrics) {
    bool checked = std::any_of(result.checks.begin(), result.checks.end(), [&](const auto& c) { return c.metric == metric; });
    if (!checked && result.mismatches.empty()) {
      throw UserError("regress: --metric " + metric + " is not reported on shared docs of any task both runs evaluated");
    }
  }
  return result;
}

std::string RegressResult::to_markdown() const {
  std::string verdict = exit_code() == 2   ? "NOT COMPARABLE"
                        : exit_code() == 1 ? fmt::format("FAIL ({} regression{})", regression_count(),
                                                         regression_count() == 1 ? "" : "s")
                                           : "PASS";
  std::string out = fmt::format("# dlmeval regress: {}\n\nBaseline `{}`, candidate `{}`. A metric fails when its drop over "
                                "shared docs exceeds {:.2f} points and the paired test gives p < {}; a collapse share "
                                "(empty, whitespace, length-limit, invalid answers) fails when it rises by more than "
                                "{:.2f} points, beyond noise.\n\n",
                                verdict, baseline_label, candidate_label, options.max_drop_points, options.alpha,
                                options.max_collapse_rise_points);
  if (!mismatches.empty()) {
    out += "## Not comparable (data or prompts differ)\n\n";
    for (const auto& m : mismatches) out += "- " + m + "\n";
    out += "\n";
  }
  if (!checks.empty()) {
    out += "| task | protocol | metric | shared docs | baseline | candidate | drop | CI of Δ | p | test | verdict |\n";
    out += "|---|---|---|---:|---:|---:|---:|---|---:|---|---|\n";
    for (const auto& c : checks) {
      const auto& p = c.paired;
      std::string protocol =
          c.baseline_protocol == c.candidate_protocol ? c.baseline_protocol : c.baseline_protocol + " → " + c.candidate_protocol;
      std::string v = c.regression ? "**REGRESSION**"
                      : c.drop > allowed_for(c, options) ? (c.collapse ? "rise within noise" : "drop within noise")
                                                         : "ok";
      out += fmt::format("| {} | {} | {} | {} | {:.4f} | {:.4f} | {:.2f}{} | [{}, {}] | {} | {} | {} |\n", c.task, protocol,
                         c.collapse ? c.metric + " (share, rise)" : c.metric, p.n_shared, p.baseline_mean, p.candidate_mean, c.drop, unit(p),
                         format_delta(p.ci_lower, p.fraction), format_delta(p.ci_upper, p.fraction), format_p(p.p_value),
                         p.test_name(), v);
    }
  }
  if (!notes.empty()) {
    out += "\n## Notes\n\n";
    for (const auto& n : notes) out += "- " + n + "\n";
  }
  return out;
}

std::string RegressResult::to_junit_xml() const {
  size_t failures = regression_count();
  size_t errors = mismatches.size();
  size_t tests = checks.size() + errors;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"dlmeval regress\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", tests, failures,
                     errors);
  out += fmt::format("  <testsuite name=\"dlmeval.regress\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">\n",
                     tests, failures, errors);
  out += fmt::format("    <properties><property name=\"baseline\" value=\"{}\"/><property name=\"candidate\" value=\"{}\"/>"
                     "<property name=\"max_drop_points\" value=\"{}\"/><property name=\"alpha\" value=\"{}\"/></properties>\n",
                     xml_escape(baseline_label), xml_escape(candidate_label), options.max_drop_points, options.alpha);
  for (const auto& m : mismatches) {
    std::string task = m.substr(0, m.find(':'));
    out += fmt::format("    <testcase classname=\"{}\" name=\"comparability\">\n      <error message=\"{}\" "
                       "type=\"fingerprint-mismatch\"/>\n    </testcase>\n",
                       xml_escape(task), xml_escape(m));
  }
  for (const auto& c : checks) {
    std::string detail = describe(c, options);
    out += fmt::format("    <testcase classname=\"{}.{}\" name=\"{}\">\n", xml_escape(c.task),
                       xml_escape(c.candidate_protocol), xml_escape(c.metric));
    if (c.regression) {
      out += fmt::format("      <failure message=\"{}\" type=\"regression\"/>\n", xml_escape(detail));
    } else {
      out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(detail));
    }
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace dlmeval
