#include "tasks/data_files.h"

#include <filesystem>
#include <sstream>

#include "harness/core/error.h"
#include "tasks/text_util.h"

namespace dlmeval {
namespace fs = std::filesystem;

std::string locate_data_file(const std::string& task, const std::string& data_dir, const std::string& relative) {
  const fs::path base = fs::path(data_dir) / relative;
  std::vector<fs::path> candidates{base, fs::path(base.string() + ".gz"), fs::path(base.string() + ".bz2")};
  const std::string ext = base.extension().string();
  if (ext == ".gz" || ext == ".bz2") candidates.push_back(fs::path(base).replace_extension(""));
  for (const auto& candidate : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  throw UserError(task + ": data file " + base.string() +
                  " not found (also tried .gz/.bz2); set --data-dir or DLMEVAL_DATA (layout: tasks/README.md)");
}

std::vector<Json> read_jsonl_records(const std::string& path) { return read_jsonl_file(path); }

std::vector<std::string> read_text_lines(const std::string& path) {
  std::istringstream in(read_file_bytes(path));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::vector<std::string>> read_csv_rows(const std::string& path) {
  const std::string text = read_file_bytes(path);
  size_t i = starts_with(text, "\xEF\xBB\xBF") ? 3 : 0;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool row_has_content = false;
  size_t line = 1;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
  };
  auto end_row = [&] {
    end_field();
    if (row_has_content) rows.push_back(std::move(row));
    row.clear();
    row_has_content = false;
  };
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    switch (c) {
      case '"':
        quoted = true;
        row_has_content = true;
        break;
      case ',':
        end_field();
        row_has_content = true;
        break;
      case '\r':
        break;
      case '\n':
        ++line;
        end_row();
        break;
      default:
        field += c;
        row_has_content = true;
    }
  }
  if (quoted) throw UserError(path + ":" + std::to_string(line) + ": unterminated quoted CSV field");
  if (row_has_content || !field.empty()) end_row();
  return rows;
}

}  // namespace dlmeval
