#include "results/sample_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "harness/core/error.h"

namespace dlmeval {
namespace {

std::string read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open sample file");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string doc_id_of(const Json& record, const std::string& where) {
  if (!record.is_object()) throw UserError(where + ": sample record must be a JSON object");
  auto it = record.find("doc_id");
  if (it == record.end() || !it->is_string()) throw UserError(where + ": sample record needs a string field 'doc_id'");
  return it->get<std::string>();
}

// Walks the complete lines of `text`, stopping at the torn tail. Returns the state; `visit` sees
// every complete record in order.
SampleFileState scan_text(const std::string& path, const std::string& text,
                          const std::function<void(Json&&)>& visit) {
  SampleFileState state;
  size_t pos = 0;
  size_t line_number = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;  // no newline: the write never finished
    ++line_number;
    std::string_view line(text.data() + pos, end - pos);
    bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
    if (!blank) {
      Json record = Json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (record.is_discarded()) {
        bool is_last = end + 1 >= text.size();
        if (is_last) break;  // a malformed final line is a torn write as well
        throw UserError(path + ":" + std::to_string(line_number) + ": malformed sample line (not at the end of the "
                        "file, so not a torn write; the file is damaged)");
      }
      std::string where = path + ":" + std::to_string(line_number);
      std::string id = doc_id_of(record, where);
      if (!state.completed_doc_ids.insert(id).second) {
        throw UserError(where + ": duplicate doc_id '" + id + "' in sample file");
      }
      ++state.complete_lines;
      if (visit) visit(std::move(record));
    }
    pos = end + 1;
    state.valid_bytes = pos;
  }
  state.torn_bytes = text.size() - state.valid_bytes;
  return state;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

SampleFileState scan_sample_file(const std::string& path) {
  if (!std::filesystem::exists(path)) return {};
  return scan_text(path, read_raw(path), nullptr);
}

std::vector<Json> read_sample_file(const std::string& path) {
  std::vector<Json> records;
  scan_text(path, read_raw(path), [&](Json&& r) { records.push_back(std::move(r)); });
  return records;
}

SampleWriter::SampleWriter(const std::string& path, Durability durability) : path_(path), durability_(durability) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) throw UserError(parent.string() + ": cannot create folder: " + ec.message());
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw UserError(path + ": cannot open sample file for appending: " + errno_text());
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw UserError(path + ": another process is writing this sample file");
  }
  SampleFileState state = scan_text(path, read_raw(path), nullptr);
  completed_ = std::move(state.completed_doc_ids);
  torn_bytes_ = state.torn_bytes;
  if (torn_bytes_ > 0) {
    if (::ftruncate(fd_, static_cast<off_t>(state.valid_bytes)) != 0) {
      throw UserError(path + ": cannot truncate torn last line: " + errno_text());
    }
    ::fsync(fd_);
  }
}

SampleWriter::~SampleWriter() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

bool SampleWriter::append(const Json& record) {
  std::string id = doc_id_of(record, path_);
  if (completed_.count(id)) return false;
  // dump() escapes control characters, so the line itself never holds a raw newline.
  std::string line = record.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  off_t size_before = ::lseek(fd_, 0, SEEK_END);
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = errno_text();
      // Cut a half-written line away now so that the next append does not bury it mid-file.
      if (size_before >= 0 && ::ftruncate(fd_, size_before) != 0) why += " (and the partial line stays)";
      throw UserError(path_ + ": write failed: " + why);
    }
    written += static_cast<size_t>(n);
  }
  if (durability_ == Durability::Fsync && ::fsync(fd_) != 0) {
    throw UserError(path_ + ": fsync failed: " + errno_text());
  }
  completed_.insert(id);
  return true;
}

}  // namespace dlmeval
