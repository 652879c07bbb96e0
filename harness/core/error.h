#pragma once
// One error type for every bad input a user can hand us. The CLI prints `what()` as one line and
// exits with `exit_code` (2 for structural/input mistakes), so no bad file ever ends in a crash.
#include <stdexcept>
#include <string>

namespace dlmeval {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message, int exit_code = 2)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace dlmeval
