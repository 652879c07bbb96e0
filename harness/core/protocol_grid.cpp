#include "harness/core/protocol_grid.h"

#include "harness/core/error.h"

namespace dlmeval {
namespace {

std::string value_label(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

std::vector<GridPoint> expand_protocol_grid(const Json& base, const Json& axes, const std::string& prefix,
                                            const std::string& where) {
  if (!base.is_object()) throw UserError(where + ": 'base' must be a protocol object");
  if (!axes.is_object() || axes.empty()) throw UserError(where + ": 'axes' must be a non-empty object of arrays");
  std::vector<GridPoint> points{{prefix, base, Json::object()}};
  for (const auto& [key, values] : axes.items()) {  // nlohmann orders keys: the expansion is stable
    if (!values.is_array() || values.empty())
      throw UserError(where + ": axis '" + key + "' must be a non-empty array of values");
    std::vector<GridPoint> next;
    for (const auto& point : points) {
      for (const auto& v : values) {
        GridPoint p = point;
        p.settings[key] = v;
        p.values[key] = v;
        p.name += "-" + key + "=" + value_label(v);
        next.push_back(std::move(p));
      }
    }
    points = std::move(next);
  }
  return points;
}

}  // namespace dlmeval
