#pragma once
// The per-doc sample log: one JSON object per line, appended as soon as a doc is scored.
//
// A run can die at any moment (OOM, pre-emption, Ctrl-C). Each record goes out in a single
// write() of the whole line followed by fsync, so the file only ever ends in a torn line, never
// with one in the middle. Reopening the file cuts that torn tail away and reports which doc ids are
// already done, so a resumed run neither loses nor repeats a doc.
#include <set>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

enum class Durability {
  Fsync,  // fsync after every line: survives power loss
  Flush,  // write() only: survives a process crash, not a power loss
};

// What a sample file holds once its torn tail (if any) is ignored.
struct SampleFileState {
  std::set<std::string> completed_doc_ids;
  size_t complete_lines = 0;
  size_t valid_bytes = 0;  // length of the prefix made of complete, well-formed lines
  size_t torn_bytes = 0;   // bytes after that prefix (a line cut short by a crash)
};

// Scans a sample file. A last line without its newline, or a malformed last line, is torn;
// a malformed or duplicate line before the end is real damage: UserError naming file:line.
// A missing file is an empty state.
SampleFileState scan_sample_file(const std::string& path);

class SampleWriter {
 public:
  // Opens `path` for appending (creating it and its folder), truncating a torn tail away.
  // Holds an exclusive lock on the file: a second writer gets a UserError.
  explicit SampleWriter(const std::string& path, Durability durability = Durability::Fsync);
  ~SampleWriter();
  SampleWriter(const SampleWriter&) = delete;
  SampleWriter& operator=(const SampleWriter&) = delete;

  // Doc ids already in the file (from earlier runs and this one).
  const std::set<std::string>& completed() const { return completed_; }
  bool is_completed(const std::string& doc_id) const { return completed_.count(doc_id) > 0; }
  // Bytes cut away when the file was opened (0 when it ended cleanly).
  size_t recovered_torn_bytes() const { return torn_bytes_; }

  // Appends one record; it must be an object with a string "doc_id". Returns false (and writes
  // nothing) when that doc is already in the file.
  bool append(const Json& record);

 private:
  std::string path_;
  Durability durability_;
  int fd_ = -1;
  std::set<std::string> completed_;
  size_t torn_bytes_ = 0;
};

// Reads every complete record of a sample file, ignoring a torn tail (see scan_sample_file).
std::vector<Json> read_sample_file(const std::string& path);

}  // namespace dlmeval
