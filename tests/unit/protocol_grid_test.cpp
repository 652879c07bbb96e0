#include <gtest/gtest.h>

#include <set>

#include "harness/core/error.h"
#include "harness/core/protocol.h"
#include "harness/core/protocol_grid.h"

using namespace dlmeval;

TEST(ProtocolGrid, CartesianProductWithDistinctNamesAndFingerprints) {
  Json base = {{"sampler", "llada"}, {"gen_length", 256}, {"steps", 256}, {"block_length", 32}};
  Json axes = {{"steps", {64, 128, 256}}, {"block_length", {8, 32}}};
  auto points = expand_protocol_grid(base, axes, "abl", "grid.json");
  ASSERT_EQ(points.size(), 6u);
  std::set<std::string> names, fingerprints;
  for (const auto& p : points) {
    names.insert(p.name);
    fingerprints.insert(Protocol{p.name, p.settings}.fingerprint());
    EXPECT_EQ(p.settings["gen_length"], 256);
    EXPECT_EQ(p.settings["steps"], p.values["steps"]);
    EXPECT_EQ(p.settings["block_length"], p.values["block_length"]);
  }
  EXPECT_EQ(names.size(), 6u);
  EXPECT_EQ(fingerprints.size(), 6u);
  EXPECT_EQ(points.front().name, "abl-block_length=8-steps=64");
}

TEST(ProtocolGrid, EmptyOrMalformedAxesAreClearErrors) {
  Json base = {{"estimator", "mc_elbo"}};
  EXPECT_THROW(expand_protocol_grid(base, Json::object(), "x", "g.json"), UserError);
  EXPECT_THROW(expand_protocol_grid(base, {{"mc_num", Json::array()}}, "x", "g.json"), UserError);
  EXPECT_THROW(expand_protocol_grid(base, {{"mc_num", 8}}, "x", "g.json"), UserError);
  EXPECT_THROW(expand_protocol_grid(Json::array(), {{"mc_num", {8}}}, "x", "g.json"), UserError);
}
