#pragma once
#include <string>

namespace dlmeval::test {
inline std::string golden(const std::string& rel) { return std::string(DLMEVAL_SHARED_DIR) + "/golden/" + rel; }
inline std::string checkpoint(const std::string& name) { return golden("checkpoints/" + name); }
inline std::string expected(const std::string& name, const std::string& file) {
  return golden("expected/" + name + "/" + file);
}
}  // namespace dlmeval::test
