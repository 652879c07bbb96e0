#pragma once
// The message of the UserError an action throws, or "" when it throws none.
#include <functional>
#include <string>

#include "harness/core/error.h"

namespace dlmeval::test {

inline std::string user_error_text(const std::function<void()>& action) {
  try {
    action();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace dlmeval::test
