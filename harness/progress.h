#pragma once
// Progress of a long job: a redrawn bar with rate and ETA on a terminal, plain lines otherwise
// (at most one every few seconds, so logs stay readable).
#include <chrono>
#include <cstdio>
#include <string>

namespace dlmeval {

class Progress {
 public:
  Progress(std::string label, size_t total, FILE* out = stderr);
  void advance(size_t n = 1);
  void finish();

 private:
  void draw(bool force);
  std::string label_;
  size_t total_, done_ = 0, drawn_done_ = static_cast<size_t>(-1);
  FILE* out_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace dlmeval
