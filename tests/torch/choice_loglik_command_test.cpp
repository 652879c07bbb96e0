// `dlmeval loglik` end to end through the built binary: golden exact values, seeds, bad records.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "choice_test_util.h"

using namespace dlmeval;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("dlmeval_loglik_" + std::to_string(::getpid()) + "_" + name)).string();
}

int run_loglik(const std::string& in, const std::string& out, const std::string& extra = "") {
  const std::string cmd = std::string(DLMEVAL_BINARY) + " loglik --model " + test::checkpoint("llada-tiny") +
                          " --requests " + in + " --output " + out + " " + extra + " 2>" + out + ".err";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void write_lines(const std::string& path, const std::vector<Json>& lines) {
  std::ofstream f(path);
  for (const auto& l : lines) f << l.dump() << "\n";
}

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(ChoiceLoglikCommand, ScoresGoldenPairsAndHonoursSeeds) {
  const Json& golden = test::likelihood_golden("llada-tiny");
  std::vector<Json> lines;
  for (const auto& pair : golden["pairs"])
    lines.push_back({{"id", lines.size()},
                     {"prompt_ids", pair["prompt_ids"]},
                     {"answer_ids", pair["answer_ids"]},
                     {"protocol", {{"estimator", "exact_elbo"}, {"cfg_scale", 0.5}}}});
  const Json& pair = golden["pairs"][3];
  const Json mc{{"prompt_ids", pair["prompt_ids"]}, {"answer_ids", pair["answer_ids"]}, {"protocol", {{"mc_num", 32}}}};
  Json seeded = mc;
  seeded["seed"] = 99;
  lines.push_back(mc);
  lines.push_back(seeded);
  const std::string in = temp_path("in.jsonl"), out = temp_path("out.jsonl");
  write_lines(in, lines);
  ASSERT_EQ(run_loglik(in, out, "--seed 99"), 0) << read_text(out + ".err");

  const auto results = read_jsonl_file(out);
  ASSERT_EQ(results.size(), lines.size());
  for (size_t i = 0; i < 8; ++i) {
    const double want = golden["pairs"][i]["cfg0.5"]["exact_expectation_uniform_k"].get<double>();
    EXPECT_EQ(results[i]["id"], i);
    EXPECT_LE(std::abs(results[i]["loglik"].get<double>() - want), 1e-5 * std::abs(want)) << i;
    EXPECT_EQ(results[i]["stderr"].get<double>(), 0.0);
    EXPECT_EQ(results[i]["protocol"]["estimator"], "exact_elbo");
    EXPECT_GE(results[i]["forward_passes"].get<int64_t>(), 1);
  }
  // --seed 99 and "seed": 99 are the same draw; the protocol comes back normalised.
  EXPECT_EQ(results[8]["loglik"], results[9]["loglik"]);
  EXPECT_EQ(results[8]["seed"], 99);
  EXPECT_EQ(results[8]["protocol"]["batch_size"], 16);
  EXPECT_GT(results[8]["stderr"].get<double>(), 0.0);
  // 32 rows instead of the golden's 128: the official spread (mc_std) doubles.
  const double official = pair["cfg0"]["exact_expectation_official_stratification"].get<double>();
  EXPECT_LE(std::abs(results[8]["loglik"].get<double>() - official), 4 * 2 * pair["cfg0"]["mc_std"].get<double>());

  ASSERT_EQ(run_loglik(in, out, "--seed 5"), 0);
  EXPECT_NE(read_jsonl_file(out)[8]["loglik"], results[8]["loglik"]);
}

TEST(ChoiceLoglikCommand, BadRecordExitsWithOneLineNamingIt) {
  const std::string in = temp_path("bad.jsonl"), out = temp_path("bad_out.jsonl");
  write_lines(in, {{{"prompt_ids", {1018, 5}}, {"answer_ids", {7}}},
                   {{"prompt_ids", {1018, 5}}, {"answer_ids", {7}}, {"protocol", {{"estimator", "nope"}}}}});
  EXPECT_EQ(run_loglik(in, out), 2);
  const std::string err = read_text(out + ".err");
  EXPECT_NE(err.find("record 2"), std::string::npos) << err;
  EXPECT_NE(err.find("'estimator'"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(out));

  write_lines(in, {{{"prompt_ids", {1018, 5}}}});
  EXPECT_EQ(run_loglik(in, out), 2);
  EXPECT_NE(read_text(out + ".err").find("'answer_ids' is missing"), std::string::npos);
}

TEST(ChoiceLoglikCommand, PairLongerThanTheCheckpointIsOneLineBeforeAnyModelWork) {
  const std::string in = temp_path("long.jsonl"), out = temp_path("long_out.jsonl");
  write_lines(in, {{{"prompt_ids", std::vector<int64_t>(500, 5)}, {"answer_ids", std::vector<int64_t>(20, 7)}}});
  EXPECT_EQ(run_loglik(in, out), 2);
  const std::string err = read_text(out + ".err");
  EXPECT_NE(err.find("record 1: choice request 0: context + continuation = 520 tokens exceeds the checkpoint's maximum sequence "
                     "length 512"),
            std::string::npos)
      << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  // The override lets it through, and a user-given memory too small for one row stops it.
  EXPECT_EQ(run_loglik(in, out, "--max-sequence-length 1024"), 0) << read_text(out + ".err");
  EXPECT_EQ(run_loglik(in, out, "--max-sequence-length 1024 --device-memory-gib 0.0001"), 2);
  EXPECT_NE(read_text(out + ".err").find("choice scoring of 1 sequence needs an estimated"), std::string::npos)
      << read_text(out + ".err");
}

}  // namespace
