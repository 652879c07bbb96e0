#include "results/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "results/aggregate.h"

namespace dlmeval {
namespace {

const char* kStyle = R"CSS(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#1d232a}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}
th,td{border:1px solid #d0d7de;padding:3px 8px;vertical-align:top;text-align:left}
th{background:#f3f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{background:#f3f5f7;padding:0 3px;border-radius:3px}
pre{white-space:pre-wrap;word-break:break-word;margin:0;max-height:16em;overflow:auto;font-size:12px}
tr.correct td.verdict{color:#116329;font-weight:600}tr.wrong td.verdict{color:#a40e26;font-weight:600}
.filters{display:flex;gap:1em;flex-wrap:wrap;align-items:center;margin:.5em 0}
details.manifest pre{max-height:40em;background:#f6f8fa;padding:.5em}
svg text{font:11px system-ui,sans-serif}
)CSS";

const char* kScript = R"JS(
(function () {
  var samples = JSON.parse(document.getElementById('samples-data').textContent);
  var fTask = document.getElementById('filter-task');
  var fProtocol = document.getElementById('filter-protocol');
  var fVerdict = document.getElementById('filter-verdict');
  var fText = document.getElementById('filter-text');
  var LIMIT = 1000;
  function unique(key) {
    var seen = {};
    samples.forEach(function (s) { seen[s[key]] = true; });
    return Object.keys(seen).sort();
  }
  function fill(select, values) {
    values.forEach(function (v) {
      var o = document.createElement('option');
      o.value = v; o.textContent = v; select.appendChild(o);
    });
  }
  fill(fTask, unique('task'));
  fill(fProtocol, unique('protocol'));
  // Filters can be preset from the address: report.html#task=gsm8k&verdict=wrong
  var params = new URLSearchParams(location.hash.slice(1));
  if (params.has('task')) fTask.value = params.get('task');
  if (params.has('protocol')) fProtocol.value = params.get('protocol');
  if (params.has('verdict')) fVerdict.value = params.get('verdict');
  if (params.has('text')) fText.value = params.get('text');
  function cell(tr, text, cls, pre) {
    var td = document.createElement('td');
    if (cls) td.className = cls;
    if (pre) { var p = document.createElement('pre'); p.textContent = text; td.appendChild(p); }
    else td.textContent = text;
    tr.appendChild(td);
  }
  function render() {
    var body = document.getElementById('sample-rows');
    body.textContent = '';
    var text = fText.value.toLowerCase();
    var matched = samples.filter(function (s) {
      return (!fTask.value || s.task === fTask.value) &&
             (!fProtocol.value || s.protocol === fProtocol.value) &&
             (!fVerdict.value || s.verdict === fVerdict.value) &&
             (!text || (s.doc_id + '\n' + s.prompt + '\n' + s.output).toLowerCase().indexOf(text) >= 0);
    });
    matched.slice(0, LIMIT).forEach(function (s) {
      var tr = document.createElement('tr');
      tr.className = 'sample-row ' + (s.verdict || 'unscored');
      tr.setAttribute('data-task', s.task);
      tr.setAttribute('data-protocol', s.protocol);
      tr.setAttribute('data-verdict', s.verdict);
      cell(tr, s.run); cell(tr, s.task); cell(tr, s.protocol); cell(tr, s.doc_id);
      cell(tr, s.prompt, 'prompt', true); cell(tr, s.output, 'output', true);
      cell(tr, s.extracted, 'extracted', true); cell(tr, s.target, 'target', true);
      cell(tr, s.verdict || s.score, 'verdict');
      body.appendChild(tr);
    });
    document.getElementById('sample-count').textContent = matched.length + ' of ' + samples.length + ' samples' +
        (matched.length > LIMIT ? ' (first ' + LIMIT + ' shown)' : '');
  }
  [fTask, fProtocol, fVerdict].forEach(function (e) { e.addEventListener('change', render); });
  fText.addEventListener('input', render);
  render();
})();
)JS";

// JSON safe inside <script>: '<', '>' and '&' only occur inside strings, where \u escapes are valid.
std::string script_safe_json(const Json& j) {
  std::string dumped = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(dumped.size());
  for (char c : dumped) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

std::string as_text(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array() && v.size() == 1 && v[0].is_string()) return v[0].get<std::string>();
  if (v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_string(); })) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += fmt::format("[{}] {}\n", i, v[i].get<std::string>());
    return out;
  }
  return v.dump(1, ' ', false, Json::error_handler_t::replace);
}

std::string field_text(const Json& record, const char* key) {
  auto it = record.find(key);
  return it == record.end() ? std::string() : as_text(*it);
}

// The prompt of a request: its (first) context, else the whole request.
std::string prompt_text(const Json& record) {
  auto it = record.find("arguments");
  if (it == record.end()) return "";
  const Json& a = *it;
  if (a.is_object()) {
    if (a.contains("contexts") && a["contexts"].is_array() && !a["contexts"].empty()) {
      std::string out = as_text(a["contexts"][0]);
      if (a.contains("continuations") && a["continuations"].is_array() && !a["continuations"].empty()) {
        out += "\n\n— choices —\n" + as_text(a["continuations"]);
      }
      return out;
    }
    if (a.contains("prompt")) return as_text(a["prompt"]);
  }
  return as_text(a);
}

Json sample_rows(const std::vector<LoadedRun>& runs, const ReportOptions& options) {
  Json rows = Json::array();
  for (const auto& run : runs) {
    for (const auto& e : run.evaluations) {
      std::string metric = headline_metric(run, e);
      size_t limit = options.max_samples_per_evaluation ? options.max_samples_per_evaluation : e.records.size();
      for (size_t i = 0; i < e.records.size() && i < limit; ++i) {
        const Json& r = e.records[i];
        const Json& metrics = r.at("metrics");
        std::string verdict, score;
        if (metrics.contains(metric)) {
          double v = metrics[metric].is_boolean() ? (metrics[metric].get<bool>() ? 1.0 : 0.0) : metrics[metric].get<double>();
          if (v == 1.0) verdict = "correct";
          else if (v == 0.0) verdict = "wrong";
          score = fmt::format("{}={:.4g}", metric, v);
        }
        rows.push_back({{"run", run.label},
                        {"task", e.task},
                        {"protocol", e.protocol},
                        {"doc_id", r.at("doc_id")},
                        {"prompt", prompt_text(r)},
                        {"output", field_text(r, "resps")},
                        {"extracted", field_text(r, "filtered_resps")},
                        {"target", field_text(r, "target")},
                        {"verdict", verdict},
                        {"score", score}});
      }
    }
  }
  return rows;
}

std::string summary_tables(const std::vector<LoadedRun>& runs) {
  std::string out;
  for (const auto& run : runs) {
    RunSummary summary = summarize_run(run);
    out += fmt::format("<h3>{}</h3>\n<table class=\"summary\"><thead><tr><th>task</th><th>protocol</th><th>metric</th>"
                       "<th>value</th><th>stderr</th><th>n</th><th>forward passes / doc</th><th>tokens / doc</th>"
                       "<th>FLOPs / doc</th><th>seconds / doc</th><th>tokens / call</th></tr>"
                       "</thead><tbody>\n",
                       html_escape(run.label));
    for (const auto& e : summary.evaluations) {
      for (const auto& m : e.metrics) {
        out += fmt::format("<tr class=\"summary-row\"><td>{}</td><td>{} <code>{}</code></td><td>{}</td><td class=\"num\">"
                           "{:.4f}</td><td class=\"num\">{:.4f}</td><td class=\"num\">{}</td><td class=\"num\">{:.1f}</td>"
                           "<td class=\"num\">{:.1f}</td><td class=\"num\">{:.3g}</td><td class=\"num\">{:.4f}</td>"
                           "<td class=\"num\">{}</td></tr>\n",
                           html_escape(e.task), html_escape(e.protocol), html_escape(e.protocol_fingerprint),
                           html_escape(m.name), m.value, m.stderr_value, m.n, e.mean_forward_passes,
                           e.mean_generated_tokens, e.cost.flops, e.cost.seconds,
                           e.cost.generated_tokens > 0 ? fmt::format("{:.2f}", e.cost.tokens_per_call) : "—");
      }
      if (e.metrics.empty()) {
        out += fmt::format("<tr class=\"summary-row\"><td>{}</td><td>{}</td><td colspan=\"9\">no samples</td></tr>\n",
                           html_escape(e.task), html_escape(e.protocol));
      }
    }
    out += "</tbody></table>\n";
    // A protocol that makes a model's code slower moves pass@k through timeouts: show them.
    std::string programs;
    for (const auto& e : summary.evaluations)
      if (!e.program_status.empty())
        programs += fmt::format("<li class=\"program-status\">{} / {}: {}</li>\n", html_escape(e.task),
                                html_escape(e.protocol), html_escape(e.program_status_line()));
    if (!programs.empty()) out += "<p>Programs run in the sandbox (a timeout fails the sample):</p>\n<ul>\n" + programs + "</ul>\n";
  }
  return out;
}

// Per generation evaluation: the collapse shares and a bar histogram of answer lengths (ten bins
// up to the protocol's limit; the last bar holds the answers cut there).
std::string collapse_section(const std::vector<LoadedRun>& runs) {
  std::string rows;
  for (const auto& run : runs) {
    for (const auto& e : summarize_run(run).evaluations) {
      const CollapseSummary& c = e.collapse;
      if (c.samples == 0) continue;
      auto share = [&](const char* name) {
        auto it = c.shares.find(name);
        return it == c.shares.end() ? std::string("—") : fmt::format("{:.3f}", it->second);
      };
      std::string bars;
      int64_t tallest = 1;
      for (int64_t n : c.length_histogram) tallest = std::max(tallest, n);
      for (size_t b = 0; b < c.length_histogram.size(); ++b) {
        const double h = 30.0 * static_cast<double>(c.length_histogram[b]) / static_cast<double>(tallest);
        bars += fmt::format("<rect x=\"{}\" y=\"{:.1f}\" width=\"9\" height=\"{:.1f}\" fill=\"{}\"><title>{}</title></rect>",
                            b * 10, 30.0 - h, h, b + 1 == c.length_histogram.size() ? "#c44" : "#47a",
                            fmt::format("{} answers", c.length_histogram[b]));
      }
      rows += fmt::format("<tr class=\"collapse-row\"><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
                          "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                          "<td class=\"num\">{}</td><td><svg class=\"length-histogram\" width=\"100\" height=\"30\">{}"
                          "</svg> up to {} tokens</td></tr>\n",
                          html_escape(run.label), html_escape(e.task), html_escape(e.protocol), c.samples,
                          share("empty_output"), share("whitespace_output"), share("length_limit"),
                          share("invalid_extraction"), bars, c.max_tokens);
    }
  }
  if (rows.empty()) return "<p>No generation evaluations.</p>\n";
  return "<table class=\"summary\"><thead><tr><th>run</th><th>task</th><th>protocol</th><th>answers</th><th>empty</th>"
         "<th>whitespace</th><th>at length limit</th><th>invalid extraction</th><th>answer lengths</th></tr></thead>"
         "<tbody>\n" +
         rows + "</tbody></table>\n";
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::optional<CostUnit> parse_cost_unit(const std::string& name) {
  if (name == "flops") return CostUnit::Flops;
  if (name == "seconds") return CostUnit::Seconds;
  if (name == "passes") return CostUnit::ForwardPasses;
  return std::nullopt;
}

std::string cost_unit_label(CostUnit unit) {
  switch (unit) {
    case CostUnit::Flops: return "estimated FLOPs per doc";
    case CostUnit::Seconds: return "wall seconds per doc";
    default: return "forward passes per doc";
  }
}

namespace {

double cost_in(const CostSummary& c, CostUnit unit) {
  switch (unit) {
    case CostUnit::Flops: return c.flops;
    case CostUnit::Seconds: return c.seconds;
    default: return c.forward_passes;
  }
}

// Axis ticks: decades on a log axis, a 1-2-5 step on a linear one.
struct Axis {
  bool log = false;
  double lo = 0, hi = 1;
  std::vector<double> ticks;
  double fraction(double v) const {
    return log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
  }
};

Axis cost_axis(double min_x, double max_x) {
  Axis a;
  if (max_x <= 0) max_x = 1;
  // Protocols and tasks span orders of magnitude (a 4-choice question against a 256-token answer).
  if (min_x > 0 && max_x / min_x > 20) {
    a.log = true;
    a.lo = std::pow(10.0, std::floor(std::log10(min_x)));
    a.hi = std::pow(10.0, std::ceil(std::log10(max_x * 1.0001)));
    for (double t = a.lo; t <= a.hi * 1.0001; t *= 10) a.ticks.push_back(t);
    return a;
  }
  double raw_step = max_x * 1.05 / 5, magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = magnitude * (raw_step <= magnitude ? 1 : raw_step <= 2 * magnitude ? 2 : raw_step <= 5 * magnitude ? 5 : 10);
  int n = static_cast<int>(std::ceil(max_x * 1.05 / step));
  a.hi = step * n;
  for (int i = 0; i <= n; ++i) a.ticks.push_back(step * i);
  return a;
}

}  // namespace

std::string render_cost_chart_svg(const std::vector<LoadedRun>& runs, CostUnit unit) {
  struct Point {
    std::string series, task, label;
    double x, y, se;
  };
  std::vector<Point> points;
  bool all_fractions = true;
  for (const auto& run : runs) {
    const RunSummary summary = summarize_run(run);
    for (size_t i = 0; i < run.evaluations.size(); ++i) {
      const auto& e = run.evaluations[i];
      const EvaluationSummary& es = summary.evaluations[i];
      const MetricSummary* m = es.find(headline_metric(run, e));
      if (m == nullptr) continue;
      all_fractions = all_fractions && is_fraction_metric(e.metric_values(m->name));
      std::string series = runs.size() > 1 ? run.label + "/" + e.protocol : e.protocol;
      points.push_back({series, e.task, run.label + "/" + e.protocol, cost_in(es.cost, unit), m->value, m->stderr_value});
    }
  }
  const double width = 820, height = 380, left = 60, right = 300, top = 20, bottom = 50;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  const std::string label = cost_unit_label(unit);
  std::string svg = fmt::format(
      "<svg id=\"cost-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "role=\"img\" aria-label=\"headline score with its standard error against {2}\">\n",
      width, height, label);
  if (points.empty()) return svg + "<text x=\"20\" y=\"40\">no scored samples</text>\n</svg>\n";
  double min_x = 0, max_x = 0, min_y = all_fractions ? 0.0 : points[0].y - points[0].se,
         max_y = all_fractions ? 1.0 : points[0].y + points[0].se;
  for (const auto& p : points) {
    if (p.x > 0 && (min_x == 0 || p.x < min_x)) min_x = p.x;
    max_x = std::max(max_x, p.x);
    if (all_fractions) continue;  // a fraction's axis is 0-100 %; bars beyond it are clipped
    min_y = std::min(min_y, p.y - p.se);
    max_y = std::max(max_y, p.y + p.se);
  }
  if (max_y <= min_y) max_y = min_y + 1;
  const Axis axis = cost_axis(min_x, max_x);
  auto px = [&](double x) {
    if (axis.log && x <= 0) return left;  // no cost recorded (an older run): pinned to the axis
    return left + std::clamp(axis.fraction(x), 0.0, 1.0) * plot_w;
  };
  auto py = [&](double y) { return top + plot_h - (std::clamp(y, min_y, max_y) - min_y) / (max_y - min_y) * plot_h; };
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>\n", left, top, plot_w,
                     plot_h);
  for (double xv : axis.ticks)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{:.3g}</text>\n", px(xv), top + plot_h + 15, xv);
  for (int i = 0; i <= 5; ++i) {
    double yv = min_y + (max_y - min_y) * i / 5;
    std::string ylabel = all_fractions ? fmt::format("{:.0f}", yv * 100) : fmt::format("{:.3g}", yv);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, py(yv) + 4, ylabel);
    svg += fmt::format("<line x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#eee\"/>\n", left, left + plot_w,
                       py(yv));
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}{}</text>\n", left + plot_w / 2, height - 12,
                     label, axis.log ? " (log scale)" : "");
  svg += fmt::format("<text transform=\"translate(14 {:.1f}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                     top + plot_h / 2, all_fractions ? "headline score (%) ± 1 standard error" : "headline score ± 1 s.e.");
  // One thin line per task joins its protocols, cheapest first: the speed/accuracy trade-off.
  std::map<std::string, std::vector<const Point*>> by_task;
  for (const auto& p : points) by_task[p.task].push_back(&p);
  for (auto& [task, list] : by_task) {
    if (list.size() < 2) continue;
    std::sort(list.begin(), list.end(), [](const Point* a, const Point* b) { return a->x < b->x; });
    std::string coords;
    for (const Point* p : list) coords += fmt::format("{:.1f},{:.1f} ", px(p->x), py(p->y));
    svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"#bbb\"/>\n", coords);
  }
  static const char* kPalette[] = {"#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#e16f24", "#57606a", "#d63384"};
  std::vector<std::string> series;
  for (const auto& p : points)
    if (std::find(series.begin(), series.end(), p.series) == series.end()) series.push_back(p.series);
  for (const auto& p : points) {
    size_t s = std::find(series.begin(), series.end(), p.series) - series.begin();
    const double x = px(p.x), y_lo = py(p.y - p.se), y_hi = py(p.y + p.se);
    svg += fmt::format(
        "<g class=\"error-bar\" stroke=\"{0}\"><line x1=\"{1:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{3:.1f}\"/>"
        "<line x1=\"{4:.1f}\" x2=\"{5:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/><line x1=\"{4:.1f}\" x2=\"{5:.1f}\" y1=\"{3:.1f}\" "
        "y2=\"{3:.1f}\"/></g>\n",
        kPalette[s % 8], x, y_lo, y_hi, x - 4, x + 4);
    svg += fmt::format(
        "<circle class=\"point\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\"><title>{} {}: {:.4f} ± {:.4f} at {:.4g} "
        "({})</title></circle>\n<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
        x, py(p.y), kPalette[s % 8], html_escape(p.label), html_escape(p.task), p.y, p.se, p.x, label, x + 7, py(p.y) - 5,
        html_escape(p.task));
  }
  for (size_t s = 0; s < series.size(); ++s) {
    double y = top + 10 + 18 * static_cast<double>(s);
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\"/><text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
                       left + plot_w + 15, y, kPalette[s % 8], left + plot_w + 25, y + 4, html_escape(series[s]));
  }
  return svg + "</svg>\n";
}

std::string render_html_report(const std::vector<LoadedRun>& runs, const ReportOptions& options) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<h1>{}</h1>\n", html_escape(options.title),
                     kStyle, html_escape(options.title));
  out += "<p>Runs: ";
  for (size_t i = 0; i < runs.size(); ++i) out += fmt::format("{}<code>{}</code>", i ? ", " : "", html_escape(runs[i].dir));
  out += "</p>\n<h2 id=\"summary\">Summary</h2>\n" + summary_tables(runs);
  out += "<h2 id=\"chart\">Score against cost</h2>\n" + render_cost_chart_svg(runs, options.cost_unit);
  out += "<h2 id=\"collapse\">Collapse diagnostics</h2>\n" + collapse_section(runs);
  out += R"HTML(<h2 id="samples">Samples</h2>
<div class="filters">
<label>task <select id="filter-task"><option value="">all</option></select></label>
<label>protocol <select id="filter-protocol"><option value="">all</option></select></label>
<label>verdict <select id="filter-verdict"><option value="">all</option><option value="correct">correct</option><option value="wrong">wrong</option></select></label>
<label>search <input id="filter-text" type="search"></label>
<span id="sample-count"></span>
</div>
<table id="sample-table"><thead><tr><th>run</th><th>task</th><th>protocol</th><th>doc</th><th>prompt</th><th>output</th><th>extracted</th><th>target</th><th>verdict</th></tr></thead>
<tbody id="sample-rows"></tbody></table>
)HTML";
  out += "<h2 id=\"manifests\">Manifests</h2>\n";
  for (const auto& run : runs) {
    out += fmt::format("<details class=\"manifest\"><summary>{}</summary><pre>{}</pre></details>\n", html_escape(run.label),
                       html_escape(run.manifest.to_json().dump(2, ' ', false, Json::error_handler_t::replace)));
  }
  out += "<script type=\"application/json\" id=\"samples-data\">" + script_safe_json(sample_rows(runs, options)) +
         "</script>\n";
  out += fmt::format("<script>{}</script>\n</body>\n</html>\n", kScript);
  return out;
}

}  // namespace dlmeval
