#include "harness/progress.h"

#include <unistd.h>

#include <fmt/format.h>

namespace dlmeval {

Progress::Progress(std::string label, size_t total, FILE* out)
    : label_(std::move(label)), total_(total), out_(out), terminal_(isatty(fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {
  draw(true);
}

void Progress::advance(size_t n) {
  done_ += n;
  draw(false);
}

void Progress::finish() {
  if (drawn_done_ != done_) draw(true);
  if (terminal_) std::fputc('\n', out_);
  std::fflush(out_);
}

void Progress::draw(bool force) {
  auto now = std::chrono::steady_clock::now();
  const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
  if (!force && since_draw < (terminal_ ? 0.2 : 5.0) && done_ < total_) return;
  last_draw_ = now;
  drawn_done_ = done_;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  const double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  if (terminal_) {
    const int width = 28;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    std::fputs(fmt::format("\r{:<28} [{}] {}/{} {:.2f}/s ETA {:.0f}s   ", label_, bar, done_, total_, rate, eta).c_str(),
               out_);
  } else {
    std::fputs(fmt::format("{}: {}/{} ({:.0f}%) {:.2f}/s ETA {:.0f}s\n", label_, done_, total_, fraction * 100, rate, eta)
                   .c_str(),
               out_);
  }
  std::fflush(out_);
}

}  // namespace dlmeval
