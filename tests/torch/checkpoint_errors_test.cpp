// Malformed checkpoints made by the test: every structural mistake must be one clear UserError
// naming the file and tensor, and `dlmeval forward` must turn it into one line and exit code 2.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "golden_paths.h"
#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "runners/checkpoint.h"
#include "runners/tensor_file.h"

namespace fs = std::filesystem;
using namespace dlmeval;

namespace {

class BrokenCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dlmeval_broken_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy(test::checkpoint("llada-tiny"), dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::map<std::string, torch::Tensor> weights() const { return read_tensor_file(path("model.safetensors")); }
  void write_weights(const std::map<std::string, torch::Tensor>& w) { write_tensor_file(path("model.safetensors"), w); }
  void edit_config(const std::function<void(Json&)>& edit) {
    Json config = read_json_file(path("config.json"));
    edit(config);
    write_json_file_atomic(path("config.json"), config);
  }
  // Rewrites model.safetensors with a hand-made header over the original data bytes.
  void write_raw(const std::string& header, const std::string& data) {
    std::ofstream out(path("model.safetensors"), std::ios::binary | std::ios::trunc);
    uint64_t n = header.size();
    out.write(reinterpret_cast<const char*>(&n), 8);
    out << header << data;
  }
  void expect_error(const std::vector<std::string>& fragments) {
    try {
      Checkpoint::open(dir_.string());
      FAIL() << "expected a UserError";
    } catch (const UserError& e) {
      std::string message = e.what();
      for (const auto& f : fragments) EXPECT_NE(message.find(f), std::string::npos) << "'" << f << "' not in: " << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << "error must be one line: " << message;
    }
  }
  fs::path dir_;
};

TEST_F(BrokenCheckpoint, IntactCopyOpens) { EXPECT_NO_THROW(Checkpoint::open(dir_.string())); }

TEST_F(BrokenCheckpoint, TruncatedFile) {
  fs::resize_file(path("model.safetensors"), fs::file_size(path("model.safetensors")) / 2);
  expect_error({"model.safetensors", "outside the data region"});
}

TEST_F(BrokenCheckpoint, FileShorterThanHeaderLength) {
  fs::resize_file(path("model.safetensors"), 100);
  expect_error({"model.safetensors", "truncated"});
}

TEST_F(BrokenCheckpoint, HeaderOffsetsOutsideFile) {
  write_raw(R"({"model.transformer.wte.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16000]}})", std::string(16, '\0'));
  expect_error({"model.transformer.wte.weight", "outside the data region"});
}

TEST_F(BrokenCheckpoint, OverlappingTensors) {
  write_raw(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})",
            std::string(24, '\0'));
  expect_error({"'a'", "'b'", "overlapping"});
}

TEST_F(BrokenCheckpoint, ShapeDisagreesWithByteCount) {
  write_raw(R"({"a":{"dtype":"F32","shape":[5],"data_offsets":[0,16]}})", std::string(16, '\0'));
  expect_error({"'a'", "needs 20 bytes"});
}

TEST_F(BrokenCheckpoint, MalformedHeaderJson) {
  write_raw("{not json", "");
  expect_error({"model.safetensors", "malformed safetensors header"});
}

TEST_F(BrokenCheckpoint, MissingTensor) {
  auto w = weights();
  w.erase("model.transformer.blocks.1.up_proj.weight");
  write_weights(w);
  expect_error({"model.transformer.blocks.1.up_proj.weight", "missing"});
}

TEST_F(BrokenCheckpoint, ExtraTensor) {
  auto w = weights();
  w["model.transformer.blocks.2.q_proj.weight"] = torch::zeros({64, 64});
  write_weights(w);
  expect_error({"model.transformer.blocks.2.q_proj.weight", "unexpected tensor"});
}

TEST_F(BrokenCheckpoint, ShapeNotMatchingConfig) {
  edit_config([](Json& c) { c["mlp_hidden_size"] = 200; });
  expect_error({"model.transformer.blocks.0.ff_proj.weight", "[176, 64]", "[200, 64]"});
}

TEST_F(BrokenCheckpoint, IntegerWeights) {
  auto w = weights();
  w["model.transformer.ln_f.weight"] = torch::ones({64}, torch::kInt64);
  write_weights(w);
  expect_error({"model.transformer.ln_f.weight", "dtype I64"});
}

TEST_F(BrokenCheckpoint, UnknownArchitecture) {
  edit_config([](Json& c) { c["architectures"] = {"GPT2LMHeadModel"}; });
  expect_error({"config.json", "unknown architecture 'GPT2LMHeadModel'"});
}

TEST_F(BrokenCheckpoint, MalformedConfigJson) {
  std::ofstream(path("config.json")) << "{\"d_model\": 64,";
  expect_error({"config.json", "malformed JSON"});
}

TEST_F(BrokenCheckpoint, MissingConfigKey) {
  edit_config([](Json& c) { c.erase("n_layers"); });
  expect_error({"config.json", "'n_layers'"});
}

TEST_F(BrokenCheckpoint, NoWeightsFile) {
  fs::remove(path("model.safetensors"));
  expect_error({"no model.safetensors"});
}

class BrokenShards : public BrokenCheckpoint {
 protected:
  void SetUp() override {
    BrokenCheckpoint::SetUp();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy(test::checkpoint("llada-tiny-sharded-bf16"), dir_, fs::copy_options::recursive);
  }
};

TEST_F(BrokenShards, IntactShardsOpen) { EXPECT_NO_THROW(Checkpoint::open(dir_.string())); }

TEST_F(BrokenShards, MissingShard) {
  fs::remove(path("model-00002-of-00002.safetensors"));
  expect_error({"model-00002-of-00002.safetensors", "missing shard"});
}

TEST_F(BrokenShards, IndexPointsToWrongShard) {
  Json index = read_json_file(path("model.safetensors.index.json"));
  index["weight_map"]["model.transformer.ln_f.weight"] = "model-00001-of-00002.safetensors";
  write_json_file_atomic(path("model.safetensors.index.json"), index);
  expect_error({"model.transformer.ln_f.weight"});
}

TEST(ForwardCommand, BrokenCheckpointIsOneLineAndExitCode2) {
  auto dir = fs::temp_directory_path() / ("dlmeval_broken_cli_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(test::checkpoint("llada-tiny"), dir, fs::copy_options::recursive);
  fs::resize_file(dir / "model.safetensors", 1000);
  auto in = (dir / "in.safetensors").string();
  write_tensor_file(in, {{"input_ids", torch::zeros({1, 4}, torch::kInt64)}});
  std::string cmd = std::string(DLMEVAL_BINARY) + " forward --model " + dir.string() + " --input " + in +
                    " --output " + (dir / "out.safetensors").string() + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) output += buffer;
  int status = pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
  EXPECT_NE(output.find("model.safetensors"), std::string::npos) << output;
  fs::remove_all(dir);
}

}  // namespace
