#pragma once
// A protocol ablation grid: one base protocol and axes of values; the grid is the Cartesian
// product, each point a complete protocol named after the values it sets.
#include <string>
#include <utility>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

struct GridPoint {
  std::string name;  // "<prefix>-<key>=<value>-..." in sorted key order
  Json settings;     // base with this point's values
  Json values;       // {key: value} of this point
};

// `axes` is {"key": [v1, v2, ...], ...}; UserError naming `where` for an empty or non-array axis.
std::vector<GridPoint> expand_protocol_grid(const Json& base, const Json& axes, const std::string& prefix,
                                            const std::string& where);

}  // namespace dlmeval
