// A generated set of malformed checkpoints, made from the golden llada-tiny: truncations, header
// length and byte corruptions, wrong offsets and lengths, dtype swaps. Every one must be refused by
// the loader with one UserError line, and by `dlmeval forward` with one line and exit code 2: none
// may crash, hang, allocate wildly or end in "internal error".
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "golden_paths.h"
#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "runners/model.h"
#include "runners/tensor_file.h"

namespace fs = std::filesystem;
using namespace dlmeval;

namespace {

struct Variant {
  std::string name;
  std::string bytes;        // the whole model.safetensors
  bool must_fail = true;    // false: a corruption that may leave a valid file (a flipped metadata byte)
};

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The original file split into its parts.
struct Parsed {
  std::string original;
  uint64_t header_len = 0;
  Json header;
  std::string data;
};

Parsed parse(const std::string& bytes) {
  Parsed p;
  p.original = bytes;
  std::memcpy(&p.header_len, bytes.data(), 8);
  p.header = Json::parse(bytes.substr(8, p.header_len));
  p.data = bytes.substr(8 + p.header_len);
  return p;
}

std::string assemble(const Json& header, const std::string& data) {
  const std::string text = header.dump();
  uint64_t n = text.size();
  std::string out(reinterpret_cast<const char*>(&n), 8);
  return out + text + data;
}

std::vector<std::string> tensor_names(const Json& header) {
  std::vector<std::string> names;
  for (auto& [k, v] : header.items())
    if (k != "__metadata__") names.push_back(k);
  return names;
}

std::vector<Variant> make_variants(const Parsed& p) {
  std::vector<Variant> v;
  const std::string& f = p.original;
  const size_t header_end = 8 + p.header_len;
  // Truncations: inside the length field, inside the header, at its edge, and across the data.
  for (size_t size : {size_t{0}, size_t{1}, size_t{4}, size_t{7}, size_t{8}, size_t{9}, size_t{16}, header_end / 2,
                      header_end - 1, header_end, header_end + 1})
    v.push_back({"truncated to " + std::to_string(size) + " bytes", f.substr(0, size)});
  for (int i = 1; i <= 24; ++i) {
    const size_t size = header_end + (f.size() - header_end) * static_cast<size_t>(i) / 25;
    v.push_back({"truncated to " + std::to_string(size) + " bytes", f.substr(0, size)});
  }
  v.push_back({"one byte short", f.substr(0, f.size() - 1)});
  // The header length field.
  for (uint64_t n : {uint64_t{0}, uint64_t{1}, p.header_len - 1, p.header_len + 1, p.header_len + 8,
                     static_cast<uint64_t>(f.size()), uint64_t{1} << 63, ~uint64_t{0}}) {
    std::string b = f;
    std::memcpy(b.data(), &n, 8);
    v.push_back({"header length " + std::to_string(n), b});
  }
  // Header byte flips, spread over the header; one in a metadata value may leave a valid file.
  const size_t metadata_at = f.find("__metadata__");
  for (int i = 0; i < 48; ++i) {
    const size_t at = 8 + (p.header_len - 1) * static_cast<size_t>(i) / 47;
    std::string b = f;
    b[at] = static_cast<char>(b[at] ^ (i % 2 == 0 ? 0x01 : 0x40));
    const bool in_metadata = metadata_at != std::string::npos && at >= metadata_at && at < metadata_at + 40;
    const bool in_padding = at > f.find_last_of('}', header_end - 1);
    v.push_back({"header byte " + std::to_string(at) + " flipped", b, !in_metadata && !in_padding});
  }
  const auto names = tensor_names(p.header);
  // Wrong offsets and lengths.
  for (size_t t = 0; t < names.size() && t < 8; ++t) {
    const std::string& name = names[t];
    auto edit = [&](const std::string& what, const std::function<void(Json&)>& change) {
      Json h = p.header;
      change(h[name]["data_offsets"]);
      v.push_back({name + ": " + what, assemble(h, p.data)});
    };
    edit("offsets shifted by one", [](Json& o) { o[0] = o[0].get<uint64_t>() + 1; o[1] = o[1].get<uint64_t>() + 1; });
    edit("end one short", [](Json& o) { o[1] = o[1].get<uint64_t>() - 1; });
    edit("empty range", [](Json& o) { o[1] = o[0]; });
    edit("beyond the data", [&](Json& o) { o[1] = p.data.size() + 4; });
    edit("reversed", [](Json& o) { const Json a = o[0]; o[0] = o[1]; o[1] = a; });
  }
  // Dtype swaps: the header renamed over the same bytes, and the tensor rewritten as integers.
  for (size_t t = 0; t < names.size() && t < 6; ++t) {
    const std::string& name = names[t];
    for (const char* dtype : {"F16", "F64", "I64", "BOOL", "F8_E4M3"}) {
      Json h = p.header;
      h[name]["dtype"] = dtype;
      v.push_back({name + ": dtype " + dtype + " over F32 bytes", assemble(h, p.data)});
    }
  }
  return v;
}

struct Outcome {
  bool user_error = false;
  std::string message;
};

Outcome load(const std::string& dir) {
  try {
    RuntimeOptions options;
    options.threads = 1;
    load_model(dir, options);
    return {false, ""};
  } catch (const UserError& e) {
    return {true, e.what()};
  }
}

class MalformedCheckpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("dlmeval_malformed_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(MalformedCheckpoints, EveryOneIsOneLineAndExitCode2) {
  const fs::path golden = test::checkpoint("llada-tiny");
  const Parsed parsed = parse(read_bytes(golden / "model.safetensors"));
  std::vector<Variant> variants = make_variants(parsed);
  // Integer weights with consistent bytes: the loader must refuse what safetensors accepts.
  for (const char* name : {"model.transformer.ln_f.weight", "model.transformer.blocks.0.attn_out.weight"}) {
    for (auto dtype : {torch::kInt64, torch::kInt32, torch::kUInt8, torch::kBool}) {
      auto weights = read_tensor_file((golden / "model.safetensors").string());
      if (!weights.count(name)) continue;
      weights[name] = weights[name].to(dtype);
      const fs::path tmp = root_ / "rewrite.safetensors";
      write_tensor_file(tmp.string(), weights);
      variants.push_back({std::string(name) + " stored as " + c10::toString(dtype), read_bytes(tmp)});
    }
  }

  size_t refused = 0;
  std::vector<fs::path> refused_dirs;
  for (size_t i = 0; i < variants.size(); ++i) {
    std::string name = "v";
    name += std::to_string(i);
    const fs::path dir = root_ / name;
    fs::create_directories(dir);
    fs::copy_file(golden / "config.json", dir / "config.json");
    {
      std::ofstream out(dir / "model.safetensors", std::ios::binary);
      out.write(variants[i].bytes.data(), static_cast<std::streamsize>(variants[i].bytes.size()));
    }
    const Outcome outcome = load(dir.string());
    if (variants[i].must_fail) {
      EXPECT_TRUE(outcome.user_error) << variants[i].name << " was accepted";
    }
    if (!outcome.user_error) {
      fs::remove_all(dir);
      continue;
    }
    EXPECT_EQ(outcome.message.find('\n'), std::string::npos) << variants[i].name << ": " << outcome.message;
    ++refused;
    refused_dirs.push_back(dir);
  }
  EXPECT_GE(refused, 100u) << "the generated set must hold at least a hundred malformed checkpoints";
  std::printf("%zu of %zu generated checkpoints refused\n", refused, variants.size());

  // The command line: every refused checkpoint through `dlmeval forward`, two at a time.
  const fs::path input = root_ / "input.safetensors";
  write_tensor_file(input.string(), {{"input_ids", torch::zeros({1, 4}, torch::kInt64)}});
  const fs::path list = root_ / "dirs.txt";
  {
    std::ofstream out(list);
    for (const auto& d : refused_dirs) out << d.string() << "\n";
  }
  const std::string script =
      "xargs -P 2 -I{} sh -c '" + std::string(DLMEVAL_BINARY) + " forward --threads 1 --model {} --input " +
      input.string() + " --output {}/out.safetensors > {}/stdout 2> {}/stderr; echo $? > {}/rc' < " + list.string();
  ASSERT_EQ(std::system(script.c_str()), 0);
  for (const auto& d : refused_dirs) {
    const std::string rc = read_bytes(d / "rc"), err = read_bytes(d / "stderr");
    EXPECT_EQ(rc, "2\n") << d << ": " << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << d << ": " << err;
    EXPECT_EQ(err.rfind("dlmeval: error: ", 0), 0u) << d << ": " << err;
    EXPECT_EQ(read_bytes(d / "stdout"), "") << d;
  }
}

}  // namespace
