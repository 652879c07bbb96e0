// dlmeval paper --table NAME RUN...: a paper's reported numbers beside measured ones.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "harness/command_registry.h"
#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "results/paper.h"

namespace {

struct PaperArgs {
  std::string table;
  std::vector<std::string> runs;
  std::string format = "md";
  std::string reference;
  std::vector<std::string> maps;
  std::vector<std::string> metrics;
  std::string out;
  bool list = false;
};

// --reference, else $DLMEVAL_REFERENCE, else ../shared/reference next to the cwd, else next to the source tree.
std::string resolve_reference(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (const char* env = std::getenv("DLMEVAL_REFERENCE"); env && *env) return env;
  const std::string relative = "../shared/reference/paper-tables.json";
  if (std::filesystem::exists(relative)) return relative;
  return std::string(DLMEVAL_SOURCE_DIR) + "/" + relative;
}

std::map<std::string, std::string> parse_pairs(const std::vector<std::string>& items, const char* option) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      throw dlmeval::UserError(std::string(option) + " " + item + ": expected KEY=VALUE");
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

const bool registered = dlmeval::register_command(
    {"paper", "Lay a paper table's reported numbers beside measured ones (markdown or LaTeX)",
     [](CLI::App& sub) -> std::function<int()> {
       auto args = std::make_shared<PaperArgs>();
       sub.add_option("--table", args->table, "Table name in paper-tables.json");
       sub.add_option("runs", args->runs, "Run dirs (one measured column per run x protocol)");
       sub.add_option("--format", args->format, "md or latex")->check(CLI::IsMember({"md", "latex"}));
       sub.add_option("--reference", args->reference, "paper-tables.json (default: ../shared/reference/paper-tables.json)");
       sub.add_option("--map", args->maps, "Paper row to dlmeval task, ROW=TASK (repeatable)");
       sub.add_option("--metric", args->metrics, "Metric to show for a task, TASK=METRIC (default: headline metric)");
       sub.add_option("--out", args->out, "Write the table to this file instead of stdout");
       sub.add_flag("--list", args->list, "List the table names and exit");
       return [args] {
         std::string reference = resolve_reference(args->reference);
         if (args->list) {
           for (const auto& name : dlmeval::paper_table_names(reference)) std::printf("%s\n", name.c_str());
           return 0;
         }
         if (args->table.empty()) throw dlmeval::UserError("paper: --table NAME is required (see --list)");
         dlmeval::PaperTable table = dlmeval::load_paper_table(reference, args->table);
         dlmeval::PaperOptions options;
         options.row_to_task = parse_pairs(args->maps, "--map");
         options.metric = parse_pairs(args->metrics, "--metric");
         options.table = args->table;
         options.column_order = table.columns;
         std::vector<dlmeval::LoadedRun> runs;
         for (const auto& dir : args->runs) runs.push_back(dlmeval::load_run(dir));
         std::string text = dlmeval::render_paper_table(table, dlmeval::measured_columns(runs, options), options,
                                                        args->format == "latex" ? dlmeval::PaperFormat::Latex
                                                                                : dlmeval::PaperFormat::Markdown);
         if (args->out.empty()) std::fputs(text.c_str(), stdout);
         else dlmeval::write_text_file_atomic(args->out, text);
         return 0;
       };
     }});

}  // namespace
