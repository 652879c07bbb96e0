#include "tasks/text_util.h"

namespace dlmeval {

std::string trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  size_t begin = s.find_first_not_of(ws);
  if (begin == std::string_view::npos) return "";
  size_t end = s.find_last_not_of(ws);
  return std::string(s.substr(begin, end - begin + 1));
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  if (from.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string truncate_at_stops(std::string_view text, const std::vector<std::string>& stops) {
  size_t cut = text.size();
  for (const auto& stop : stops) {
    if (stop.empty()) continue;
    size_t pos = text.find(stop);
    if (pos != std::string_view::npos && pos < cut) cut = pos;
  }
  return std::string(text.substr(0, cut));
}

}  // namespace dlmeval
