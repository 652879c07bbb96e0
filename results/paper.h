#pragma once
// Paper tables: the reported numbers of a table in paper-tables.json laid beside measured ones, as
// markdown or LaTeX. A paper row is a benchmark name; kPaperTaskMap maps it to dlmeval task names
// (see results/README.md). Missing measurements are shown as "—".
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "results/run_dir.h"

namespace dlmeval {

struct PaperTable {
  std::string name;
  std::string title;
  std::string source;
  std::string notes;
  std::vector<std::string> columns;
  // Paper order: row name -> one cell per column (number, string or null).
  std::vector<std::pair<std::string, std::vector<nlohmann::ordered_json>>> rows;
};

// Reads one table from a paper-tables.json file; UserError naming the file and listing the table
// names when `name` is unknown, or naming the row whose cell count does not match the columns.
PaperTable load_paper_table(const std::string& path, const std::string& name);
std::vector<std::string> paper_table_names(const std::string& path);

// Paper row -> dlmeval task names to try, first present wins. A row not listed maps to the task of
// the same name; "average" is computed from the measured rows.
const std::vector<std::pair<std::string, std::vector<std::string>>>& paper_task_map();
std::vector<std::string> tasks_for_paper_row(const std::string& row,
                                             const std::map<std::string, std::string>& overrides);

struct MeasuredColumn {
  using Value = std::pair<double, double>;
  std::string label;  // "<run>/<protocol>", or "<run>/<paper column>" for a run planned from the table's suite
  // task -> (value, stderr) in percentage points for [0,1] metrics, else the metric's unit
  std::map<std::string, Value> by_task;
  // paper row -> (value, task) for suite entries that name their row; wins over by_task
  std::map<std::string, std::pair<Value, std::string>> by_row;
};

struct PaperOptions {
  std::string table;  // the table laid out: a run planned from a suite for it gets the suite's columns
  std::vector<std::string> column_order;  // that table's columns
  std::map<std::string, std::string> row_to_task;  // overrides of paper_task_map()
  std::map<std::string, std::string> metric;       // task -> metric (default: the headline metric)
};

// One measured column per run x protocol, in run order; a run whose manifest holds a suite made for
// `options.table` gets one column per paper column its suite entries name instead.
std::vector<MeasuredColumn> measured_columns(const std::vector<LoadedRun>& runs, const PaperOptions& options);

enum class PaperFormat { Markdown, Latex };
std::string render_paper_table(const PaperTable& table, const std::vector<MeasuredColumn>& measured,
                               const PaperOptions& options, PaperFormat format);

}  // namespace dlmeval
