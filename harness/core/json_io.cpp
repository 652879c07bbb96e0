#include "harness/core/json_io.h"

// The runtime-only build (cmake/runtime_only.cmake) defines DLMEVAL_NO_COMPRESSED_FILES: it runs
// where Boost.Iostreams cannot be installed, and the runtime never reads compressed files.
#ifndef DLMEVAL_NO_COMPRESSED_FILES
#include <boost/iostreams/copy.hpp>
#include <boost/iostreams/filter/bzip2.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#endif
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/core/error.h"

namespace dlmeval {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open file");
#ifdef DLMEVAL_NO_COMPRESSED_FILES
  if (ends_with(path, ".gz") || ends_with(path, ".bz2"))
    throw UserError(path + ": cannot decompress: this runtime-only build reads uncompressed files only");
#else
  try {
    if (ends_with(path, ".gz") || ends_with(path, ".bz2")) {
      boost::iostreams::filtering_istream stream;
      if (ends_with(path, ".gz")) stream.push(boost::iostreams::gzip_decompressor());
      else stream.push(boost::iostreams::bzip2_decompressor());
      stream.push(in);
      std::ostringstream out;
      boost::iostreams::copy(stream, out);
      return out.str();
    }
  } catch (const std::exception& e) {
    throw UserError(path + ": cannot decompress: " + e.what());
  }
#endif
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Json read_json_file(const std::string& path) {
  std::string text = read_file_bytes(path);
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    throw UserError(path + ": malformed JSON: " + e.what());
  }
}

void for_each_jsonl(const std::string& path, const std::function<void(const Json&, size_t line)>& visit) {
  std::string text = read_file_bytes(path);
  std::istringstream in(text);
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Json record;
    try {
      record = Json::parse(line);
    } catch (const Json::exception& e) {
      throw UserError(path + ":" + std::to_string(number) + ": malformed JSON line: " + e.what());
    }
    visit(record, number);
  }
}

std::vector<Json> read_jsonl_file(const std::string& path) {
  std::vector<Json> records;
  for_each_jsonl(path, [&](const Json& r, size_t) { records.push_back(r); });
  return records;
}

void write_text_file_atomic(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError(path + ": cannot write file");
    out << text;
    out.flush();
    if (!out) throw UserError(path + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw UserError(path + ": cannot rename temporary file: " + ec.message());
}

void write_json_file_atomic(const std::string& path, const Json& value, int indent) {
  write_text_file_atomic(path, value.dump(indent) + "\n");
}

}  // namespace dlmeval
