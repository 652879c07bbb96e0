#pragma once
// JSON and JSON-lines reading/writing with errors that name the file and line.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dlmeval {

using Json = nlohmann::json;

// Reads a whole JSON file; UserError naming the file on missing file or malformed JSON.
Json read_json_file(const std::string& path);
// Reads a JSON-lines file (blank lines skipped); UserError naming file:line on a malformed line.
std::vector<Json> read_jsonl_file(const std::string& path);
// Calls `visit` for each record of a JSON-lines file, streaming.
void for_each_jsonl(const std::string& path, const std::function<void(const Json&, size_t line)>& visit);
// Writes JSON atomically (temp file + rename) so a crash never leaves a half-written file.
void write_json_file_atomic(const std::string& path, const Json& value, int indent = 2);
// Writes a text file atomically.
void write_text_file_atomic(const std::string& path, const std::string& text);
// Reads a whole file as bytes; transparently decompresses .gz and .bz2.
std::string read_file_bytes(const std::string& path);

}  // namespace dlmeval
