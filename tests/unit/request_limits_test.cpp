// The limits checked before any model work, torch-free: the memory estimate and its message, the
// shard index, hostile safetensors shapes, and the request lines of generate and loglik.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "harness/core/error.h"
#include "runners/io/memory_estimate.h"
#include "runners/io/safetensors.h"
#include "runners/request_lines.h"
#include "user_error_text.h"

using namespace dlmeval;

namespace {

// LLaDA-8B's published config.json sizes.
ModelConfig llada_8b() {
  ModelConfig c;
  c.d_model = 4096;
  c.n_layers = 32;
  c.n_heads = 32;
  c.n_kv_heads = 32;
  c.head_dim = 128;
  c.mlp_hidden = 12288;
  c.vocab_size = 126464;
  c.max_sequence_length = 4096;
  return c;
}

TEST(MemoryEstimate, LLaDA8BSequenceIsDominatedByTheLogits) {
  // 1024 tokens: three fp32 [1024, 126464] tensors are 1.45 GiB, the scores 2 x 32 x 1024^2 x 4 B
  // = 0.25 GiB, the widest layer's bf16 activations about 0.1 GiB.
  const MemoryEstimate m = estimate_forward_memory(llada_8b(), ForwardShape{1, 1024, 2, false});
  EXPECT_DOUBLE_EQ(m.logits_bytes, 3.0 * 1024 * 126464 * 4);
  EXPECT_DOUBLE_EQ(m.attention_bytes, 2.0 * 32 * 1024 * 1024 * 4);
  EXPECT_DOUBLE_EQ(m.layer_bytes, 1024.0 * 2 * (3 * 4096 + 4096 + 2 * 4096 + 4096 + 3 * 12288));
  EXPECT_EQ(m.cache_bytes, 0);
  EXPECT_GT(m.logits_bytes, m.attention_bytes + m.layer_bytes);
  // A cached sampler keeps keys and values of every layer: 2 x 32 x 1024 x 4096 x 2 B = 0.5 GiB.
  const MemoryEstimate cached = estimate_forward_memory(llada_8b(), ForwardShape{1, 1024, 2, true});
  EXPECT_DOUBLE_EQ(cached.cache_bytes, 2.0 * 32 * 1024 * 4096 * 2);
}

TEST(MemoryEstimate, LinearInRowsAndHugeConfigsDoNotOverflow) {
  const MemoryEstimate one = estimate_forward_memory(llada_8b(), ForwardShape{1, 512, 4, false});
  const MemoryEstimate many = estimate_forward_memory(llada_8b(), ForwardShape{64, 512, 4, false});
  EXPECT_DOUBLE_EQ(many.total_bytes, 64 * one.total_bytes);
  ModelConfig hostile = llada_8b();
  hostile.d_model = int64_t{1} << 40;
  hostile.vocab_size = int64_t{1} << 40;
  const MemoryEstimate huge = estimate_forward_memory(hostile, ForwardShape{1 << 20, 1 << 20, 4, true});
  EXPECT_TRUE(std::isfinite(huge.total_bytes));
  EXPECT_GT(huge.total_bytes, 1e24);
}

TEST(MemoryEstimate, MessageSaysWhatFits) {
  const MemoryEstimate m = estimate_forward_memory(llada_8b(), ForwardShape{64, 1024, 2, false});
  const double per_row = m.per_row_bytes;
  EXPECT_EQ(test::user_error_text([&] { check_forward_memory(m, 64, 64.5 * per_row, "generation batch", "cuda:0"); }), "");
  const std::string some = test::user_error_text([&] { check_forward_memory(m, 64, 10.2 * per_row, "generation batch", "cuda:0"); });
  EXPECT_NE(some.find("generation batch of 64 sequences needs an estimated"), std::string::npos) << some;
  EXPECT_NE(some.find("cuda:0 has"), std::string::npos) << some;
  EXPECT_NE(some.find("at most 10 fit in one batch"), std::string::npos) << some;
  const std::string none = test::user_error_text([&] { check_forward_memory(m, 64, 0.5 * per_row, "generation batch", "cpu"); });
  EXPECT_NE(none.find("cannot fit even at batch size 1"), std::string::npos) << none;
  EXPECT_EQ(none.find('\n'), std::string::npos);
}

TEST(SafetensorsIndex, ShardNamesMustStayInTheCheckpointFolder) {
  const Json good = {{"weight_map", {{"a", "model-00001-of-00002.safetensors"}, {"b", "model-00002-of-00002.safetensors"},
                                     {"c", "model-00001-of-00002.safetensors"}}}};
  const SafetensorsIndex index = parse_safetensors_index(good, "index.json");
  EXPECT_EQ(index.files, (std::vector<std::string>{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}));
  EXPECT_EQ(index.weight_map.at("c"), "model-00001-of-00002.safetensors");
  for (const char* hostile : {"../model.safetensors", "/etc/passwd", "sub/model.safetensors", "..", "model.bin", ""}) {
    const std::string m = test::user_error_text([&] { parse_safetensors_index({{"weight_map", {{"a", hostile}}}}, "index.json"); });
    EXPECT_NE(m.find("index.json: weight_map entry 'a'"), std::string::npos) << hostile << ": " << m;
  }
  EXPECT_NE(test::user_error_text([] { parse_safetensors_index(Json::array(), "index.json"); }).find("'weight_map'"), std::string::npos);
}

TEST(SafetensorsHeader, ShapeWhoseByteCountOverflowsIsRefused) {
  // 2^32 x 2^32 F32 elements wrap a 64-bit byte count to 0, which empty data_offsets would match.
  const std::string header = R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})";
  const auto path = std::filesystem::temp_directory_path() / ("dlmeval_overflow_" + std::to_string(::getpid()) + ".safetensors");
  {
    std::ofstream out(path, std::ios::binary);
    const uint64_t n = header.size();
    out.write(reinterpret_cast<const char*>(&n), 8);
    out << header;
  }
  const std::string m = test::user_error_text([&] { SafetensorsFile::open(path.string()); });
  std::filesystem::remove(path);
  EXPECT_NE(m.find("tensor 'w': shape [4294967296,4294967296] is too large to address"), std::string::npos) << m;
}

TEST(RequestLines, GenerateLineShapesSeedsAndProtocol) {
  const GenerateLine line = parse_generate_line(
      Json::parse(R"({"prompt_ids": [[1, 2], [3, 4]], "attention_mask": [[0, 1], [1, 1]], "seed": 9,
                      "protocol": {"steps": 4}})"),
      Json{{"steps", 8}, {"gen_length", 16}}, 7);
  EXPECT_TRUE(line.two_d);
  EXPECT_EQ(line.prompt_rows, (std::vector<TokenIds>{{1, 2}, {3, 4}}));
  EXPECT_EQ(line.seed, 9u);
  EXPECT_EQ(line.protocol, (Json{{"steps", 4}, {"gen_length", 16}}));
  const GenerateLine flat = parse_generate_line(Json::parse(R"({"prompt_ids": [5, 6, 7]})"), Json::object(), 7);
  EXPECT_FALSE(flat.two_d);
  EXPECT_EQ(flat.seed, 7u);
  for (const char* bad : {R"([])", R"({})", R"({"prompt_ids": []})", R"({"prompt_ids": [[1, 2], [3]]})",
                          R"({"prompt_ids": [[1], 2]})", R"({"prompt_ids": [[]]})", R"({"prompt_ids": [1.5]})",
                          R"({"prompt_ids": [1], "attention_mask": [1, 1]})", R"({"prompt_ids": [1], "seed": -1})",
                          R"({"prompt_ids": [1], "protocol": 3})"})
    EXPECT_NE(test::user_error_text([&] { parse_generate_line(Json::parse(bad), Json::object(), 0); }), "") << bad;
}

TEST(RequestLines, LoglikLineNamesTheField) {
  const LoglikLine line = parse_loglik_line(Json::parse(R"({"prompt_ids": [1, 2], "answer_ids": [3]})"), 11);
  EXPECT_EQ(line.answer_ids, (TokenIds{3}));
  EXPECT_EQ(line.seed, 11u);
  EXPECT_EQ(test::user_error_text([] { parse_loglik_line(Json::parse(R"({"prompt_ids": [1]})"), 0); }),
            "field 'answer_ids' is missing");
  EXPECT_EQ(test::user_error_text([] { parse_loglik_line(Json::parse(R"({"prompt_ids": [1], "answer_ids": ["x"]})"), 0); }),
            "field 'answer_ids' holds a non-integer value \"x\"");
}

}  // namespace
