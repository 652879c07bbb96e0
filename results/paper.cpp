#include "results/paper.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "results/aggregate.h"
#include "scorers/statistics.h"

namespace dlmeval {
namespace {

using OrderedJson = nlohmann::ordered_json;

// Keeps the file's key order: paper rows are listed in the paper's order.
OrderedJson read_ordered(const std::string& path) {
  std::string text = read_file_bytes(path);
  try {
    return OrderedJson::parse(text);
  } catch (const OrderedJson::exception& e) {
    throw UserError(path + ": malformed JSON: " + e.what());
  }
}

const OrderedJson& tables_of(const OrderedJson& file, const std::string& path) {
  if (!file.is_object() || !file.contains("tables") || !file["tables"].is_object()) {
    throw UserError(path + ": expected an object with a 'tables' object");
  }
  return file["tables"];
}

std::string text_field(const OrderedJson& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string latex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '_': out += "\\_"; break;
      case '&': out += "\\&"; break;
      case '%': out += "\\%"; break;
      case '#': out += "\\#"; break;
      case '$': out += "\\$"; break;
      case '{': out += "\\{"; break;
      case '}': out += "\\}"; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '\\': out += "\\textbackslash{}"; break;
      default: out += c;
    }
  }
  return out;
}

std::string paper_cell(const OrderedJson& v, bool latex) {
  if (v.is_null()) return latex ? "---" : "—";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string join_tasks(const std::vector<std::string>& tasks) {
  std::string out;
  for (const auto& t : tasks) out += (out.empty() ? "" : " / ") + t;
  return out;
}

struct Cell {
  std::optional<std::pair<double, double>> value;
  std::string note;  // e.g. "6/8" for a partial average
};

}  // namespace

std::vector<std::string> paper_table_names(const std::string& path) {
  std::vector<std::string> names;
  for (const auto& [name, t] : tables_of(read_ordered(path), path).items()) names.push_back(name);
  return names;
}

PaperTable load_paper_table(const std::string& path, const std::string& name) {
  OrderedJson file = read_ordered(path);
  const OrderedJson& tables = tables_of(file, path);
  if (!tables.contains(name)) {
    std::string known;
    for (const auto& [n, t] : tables.items()) known += (known.empty() ? "" : ", ") + n;
    throw UserError(path + ": no table '" + name + "' (tables: " + known + ")");
  }
  const OrderedJson& t = tables[name];
  std::string where = path + ": tables." + name;
  if (!t.is_object() || !t.contains("columns") || !t["columns"].is_array() || !t.contains("rows") || !t["rows"].is_object()) {
    throw UserError(where + ": needs a 'columns' array and a 'rows' object");
  }
  PaperTable table;
  table.name = name;
  table.title = text_field(t, "title");
  table.source = text_field(t, "source");
  table.notes = text_field(t, "notes");
  for (const auto& c : t["columns"]) {
    if (!c.is_string()) throw UserError(where + ".columns: must hold strings");
    table.columns.push_back(c.get<std::string>());
  }
  for (const auto& [row, cells] : t["rows"].items()) {
    if (!cells.is_array() || cells.size() != table.columns.size()) {
      throw UserError(fmt::format("{}.rows.{}: expected {} cells, one per column", where, row, table.columns.size()));
    }
    table.rows.emplace_back(row, std::vector<OrderedJson>(cells.begin(), cells.end()));
  }
  return table;
}

const std::vector<std::pair<std::string, std::vector<std::string>>>& paper_task_map() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> map = {
      {"mmlu", {"mmlu"}},
      {"bbh", {"bbh"}},
      {"arc_challenge", {"arc_challenge"}},
      {"arc_easy", {"arc_easy"}},
      {"hellaswag", {"hellaswag"}},
      {"piqa", {"piqa"}},
      {"winogrande", {"winogrande"}},
      {"truthfulqa_mc1", {"truthfulqa_mc1"}},
      {"truthfulqa_mc2", {"truthfulqa_mc2"}},
      {"gsm8k", {"gsm8k", "gsm8k_cot"}},
      // The semi-autoregressive rows are GSM8K under a block protocol: the protocol, not the task, differs.
      {"gsm8k_semi_ar", {"gsm8k", "gsm8k_cot"}},
      {"humaneval", {"humaneval"}},
      {"mbpp", {"mbpp"}},
      // Fast-dLLM's rows are protocols on GSM8K.
      {"llada_baseline", {"gsm8k"}},
      {"fast_dllm_dual_cache_threshold_0.9", {"gsm8k"}},
  };
  return map;
}

std::vector<std::string> tasks_for_paper_row(const std::string& row, const std::map<std::string, std::string>& overrides) {
  if (auto it = overrides.find(row); it != overrides.end()) return {it->second};
  for (const auto& [name, tasks] : paper_task_map())
    if (name == row) return tasks;
  return {row};
}

namespace {

MeasuredColumn::Value measured_value(const LoadedRun& run, const EvaluationSamples& e, const PaperOptions& options,
                                     bool* found) {
  auto it = options.metric.find(e.task);
  std::string metric = it != options.metric.end() ? it->second : headline_metric(run, e);
  std::vector<double> values = e.metric_values(metric);
  *found = !values.empty();
  if (values.empty()) return {};
  double scale = is_fraction_metric(values) ? 100.0 : 1.0;
  return {mean(values) * scale, bootstrap_stderr(values, 1000, 1234) * scale};
}

// A run planned from a suite for this table: one column per paper column the suite names (or one
// named after the suite), holding the (task, protocol) pairs the suite puts there.
bool suite_columns(const LoadedRun& run, const PaperOptions& options, std::vector<MeasuredColumn>& columns) {
  const Json& suite = run.manifest.suite;
  if (!suite.is_object() || options.table.empty() || suite.value("paper_table", "") != options.table) return false;
  std::vector<std::string> order;
  std::map<std::string, MeasuredColumn> by_label;
  for (const auto& entry : suite.value("entries", Json::array())) {
    const std::string task = entry.value("task", ""), protocol = entry.value("protocol", "");
    std::vector<std::string> names;
    if (entry.contains("columns") && entry["columns"].is_array())
      for (const auto& c : entry["columns"]) names.push_back(c.get<std::string>());
    if (names.empty()) names.push_back(suite.value("name", "suite"));
    if (entry.contains("variant") && entry["variant"].is_string())
      for (auto& name : names) name += " (" + entry["variant"].get<std::string>() + ")";
    const EvaluationSamples* e = run.find(task, protocol);
    if (!e) continue;
    bool found = false;
    auto value = measured_value(run, *e, options, &found);
    if (!found) continue;
    for (const auto& name : names) {
      const std::string label = run.label + "/" + name;
      if (!by_label.count(label)) {
        order.push_back(label);
        by_label[label].label = label;
      }
      if (entry.contains("row") && entry["row"].is_string()) {
        by_label[label].by_row[entry["row"].get<std::string>()] = {value, task};
      } else {
        by_label[label].by_task[task] = value;
      }
    }
  }
  // The paper's column order, so measured columns line up with the reported ones.
  auto rank = [&](const std::string& label) {
    std::string column = label.substr(run.label.size() + 1);
    column = column.substr(0, column.find(" ("));
    auto it = std::find(options.column_order.begin(), options.column_order.end(), column);
    return it - options.column_order.begin();
  };
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  for (const auto& label : order) columns.push_back(std::move(by_label[label]));
  return true;
}

}  // namespace

std::vector<MeasuredColumn> measured_columns(const std::vector<LoadedRun>& runs, const PaperOptions& options) {
  std::vector<MeasuredColumn> columns;
  for (const auto& run : runs) {
    if (suite_columns(run, options, columns)) continue;
    std::vector<std::string> protocols;
    for (const auto& e : run.evaluations)
      if (std::find(protocols.begin(), protocols.end(), e.protocol) == protocols.end()) protocols.push_back(e.protocol);
    for (const auto& protocol : protocols) {
      MeasuredColumn col;
      col.label = run.label + "/" + protocol;
      for (const auto& e : run.evaluations) {
        if (e.protocol != protocol) continue;
        bool found = false;
        auto value = measured_value(run, e, options, &found);
        if (found) col.by_task[e.task] = value;
      }
      columns.push_back(std::move(col));
    }
  }
  return columns;
}

std::string render_paper_table(const PaperTable& table, const std::vector<MeasuredColumn>& measured,
                               const PaperOptions& options, PaperFormat format) {
  bool latex = format == PaperFormat::Latex;
  // Measured cells per row, then the average row from them.
  std::vector<std::vector<Cell>> cells(table.rows.size(), std::vector<Cell>(measured.size()));
  std::vector<std::string> row_tasks(table.rows.size());
  int average_row = -1;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const std::string& row = table.rows[r].first;
    if (row == "average") {
      average_row = static_cast<int>(r);
      continue;
    }
    auto candidates = tasks_for_paper_row(row, options.row_to_task);
    row_tasks[r] = join_tasks(candidates);
    for (size_t c = 0; c < measured.size(); ++c) {
      if (auto named = measured[c].by_row.find(row); named != measured[c].by_row.end()) {
        cells[r][c].value = named->second.first;
        row_tasks[r] = named->second.second;
        continue;
      }
      for (const auto& task : candidates) {
        auto it = measured[c].by_task.find(task);
        if (it == measured[c].by_task.end()) continue;
        cells[r][c].value = it->second;
        break;
      }
    }
  }
  if (average_row >= 0) {
    size_t benchmarks = table.rows.size() - 1;
    for (size_t c = 0; c < measured.size(); ++c) {
      double sum = 0;
      size_t count = 0;
      for (size_t r = 0; r < table.rows.size(); ++r) {
        if (static_cast<int>(r) == average_row || !cells[r][c].value) continue;
        sum += cells[r][c].value->first;
        ++count;
      }
      if (count == 0) continue;
      cells[average_row][c].value = std::pair{sum / static_cast<double>(count), 0.0};
      if (count < benchmarks) cells[average_row][c].note = fmt::format("{}/{}", count, benchmarks);
    }
    row_tasks[average_row] = "(mean of measured rows)";
  }

  auto measured_text = [&](const Cell& cell) -> std::string {
    if (!cell.value) return latex ? "---" : "—";
    auto [value, se] = *cell.value;
    std::string note = cell.note.empty() ? "" : (latex ? fmt::format("\\textsuperscript{{{}}}", cell.note)
                                                       : fmt::format(" ({})", cell.note));
    if (se <= 0) return fmt::format("{:.1f}", value) + note;
    return (latex ? fmt::format("${:.1f}_{{\\pm {:.1f}}}$", value, se) : fmt::format("{:.1f} ± {:.1f}", value, se)) + note;
  };

  std::string out;
  if (!latex) {
    out += fmt::format("## {}\n\n", table.title.empty() ? table.name : table.title);
    if (!table.source.empty()) out += fmt::format("Reported: {}\n\n", table.source);
    out += "| benchmark | dlmeval task |";
    for (const auto& c : table.columns) out += fmt::format(" {} (reported) |", c);
    for (const auto& m : measured) out += fmt::format(" {} (measured) |", m.label);
    out += "\n|---|---|";
    for (size_t i = 0; i < table.columns.size() + measured.size(); ++i) out += "---:|";
    out += "\n";
    for (size_t r = 0; r < table.rows.size(); ++r) {
      out += fmt::format("| {} | {} |", table.rows[r].first, row_tasks[r]);
      for (const auto& v : table.rows[r].second) out += fmt::format(" {} |", paper_cell(v, false));
      for (const auto& cell : cells[r]) out += fmt::format(" {} |", measured_text(cell));
      out += "\n";
    }
    out += "\nMeasured: mean ± bootstrap standard error of each task's headline metric, in percentage points; "
           "— = not measured.\n";
    if (!table.notes.empty()) out += fmt::format("\nNotes: {}\n", table.notes);
    return out;
  }

  std::string spec = "ll" + std::string(table.columns.size(), 'r') + (measured.empty() ? "" : "|") +
                     std::string(measured.size(), 'r');
  out += "\\begin{table}[t]\n\\centering\n\\small\n";
  out += fmt::format("\\begin{{tabular}}{{{}}}\n\\toprule\n", spec);
  out += "Benchmark & Task";
  for (const auto& c : table.columns) out += " & " + latex_escape(c);
  for (const auto& m : measured) out += " & " + latex_escape(m.label) + " (ours)";
  out += " \\\\\n\\midrule\n";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (static_cast<int>(r) == average_row) out += "\\midrule\n";
    out += latex_escape(table.rows[r].first) + " & " + latex_escape(row_tasks[r]);
    for (const auto& v : table.rows[r].second) {
      std::string text = paper_cell(v, true);
      out += " & " + (v.is_null() ? text : latex_escape(text));
    }
    for (const auto& cell : cells[r]) out += " & " + measured_text(cell);
    out += " \\\\\n";
  }
  out += "\\bottomrule\n\\end{tabular}\n";
  out += fmt::format("\\caption{{{} Reported: {}. Ours: mean$\\pm$bootstrap s.e.; --- = not measured.}}\n",
                     latex_escape(table.title.empty() ? table.name : table.title), latex_escape(table.source));
  out += fmt::format("\\label{{tab:{}}}\n\\end{{table}}\n", table.name);
  return out;
}

}  // namespace dlmeval
