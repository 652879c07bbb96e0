#pragma once
// One self-contained HTML report over one or more run dirs: summary tables, a chart of score
// against forward passes per protocol (inline SVG), a sample browser filterable by task, protocol
// and verdict (inline JS over the samples embedded as JSON), and each run's manifest. No network
// access: every byte is in the file.
#include <string>
#include <vector>

#include "results/run_dir.h"

namespace dlmeval {

struct ReportOptions {
  // Samples embedded per task x protocol (0 = all). Large runs make large files.
  size_t max_samples_per_evaluation = 0;
  std::string title = "dlmeval report";
};

std::string render_html_report(const std::vector<LoadedRun>& runs, const ReportOptions& options = {});

// The score-vs-forward-passes chart alone (an <svg> element).
std::string render_passes_chart_svg(const std::vector<LoadedRun>& runs);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(const std::string& text);

}  // namespace dlmeval
