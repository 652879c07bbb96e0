#pragma once
// Locating and reading benchmark files inside a data directory (layout: tasks/README.md).
// Every reader accepts the file as shipped or as users download it: plain, .gz or .bz2.
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

// Path of `relative` under `data_dir`, trying the name as given, with .gz/.bz2 appended and with a
// .gz/.bz2 suffix removed. UserError naming the task, the expected path and the README otherwise.
std::string locate_data_file(const std::string& task, const std::string& data_dir, const std::string& relative);

// One JSON value per non-blank line (file:line on a malformed line).
std::vector<Json> read_jsonl_records(const std::string& path);
// Non-empty lines, trailing '\r' removed.
std::vector<std::string> read_text_lines(const std::string& path);
// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. A UTF-8 BOM is skipped.
std::vector<std::vector<std::string>> read_csv_rows(const std::string& path);

}  // namespace dlmeval
