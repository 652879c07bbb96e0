#pragma once
// One self-contained HTML report over one or more run dirs: summary tables with costs, a chart of
// score against cost per protocol (inline SVG; FLOPs, seconds or forward passes), a sample browser filterable by task, protocol
// and verdict (inline JS over the samples embedded as JSON), and each run's manifest. No network
// access: every byte is in the file.
#include <optional>
#include <string>
#include <vector>

#include "results/run_dir.h"

namespace dlmeval {

// The x axis of the score-against-cost chart.
enum class CostUnit { Flops, Seconds, ForwardPasses };
std::optional<CostUnit> parse_cost_unit(const std::string& name);  // "flops", "seconds", "passes"
std::string cost_unit_label(CostUnit unit);

struct ReportOptions {
  // Samples embedded per task x protocol (0 = all). Large runs make large files.
  size_t max_samples_per_evaluation = 0;
  std::string title = "dlmeval report";
  CostUnit cost_unit = CostUnit::Flops;  // machine-independent by default
};

std::string render_html_report(const std::vector<LoadedRun>& runs, const ReportOptions& options = {});

// The chart alone (an <svg> element): one point per (run, task, protocol), the headline score with
// its bootstrap standard error as an error bar, against the cost per doc in `unit`.
std::string render_cost_chart_svg(const std::vector<LoadedRun>& runs, CostUnit unit);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(const std::string& text);

}  // namespace dlmeval
