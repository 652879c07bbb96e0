#pragma once
// Small string helpers shared by the prompt builders and scorers of the task families.
#include <string>
#include <string_view>
#include <vector>

namespace dlmeval {

std::string trim(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string replace_all(std::string text, std::string_view from, std::string_view to);
bool starts_with(std::string_view s, std::string_view prefix);
// The text before the earliest occurrence of any stop string (the runner stops there too; doing
// it again keeps scoring right for raw outputs written by other tools).
std::string truncate_at_stops(std::string_view text, const std::vector<std::string>& stops);

}  // namespace dlmeval
