#pragma once
// Safetensors files: memory-mapped, validated reading and plain writing. LibTorch-free so that
// malformed-file tests and tools need not load LibTorch.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

enum class DType { F32, F16, BF16, I64, I32, BOOL, U8, F64 };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);  // the safetensors spelling: "F32", "BF16", ...

struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;  // points into the mapping; valid while the file lives
  size_t size_bytes = 0;
  int64_t numel() const;
};

// A read-only memory mapping of one safetensors file, validated on open: header length and JSON,
// dtypes, shapes against byte sizes, offsets inside the file and not overlapping.
class SafetensorsFile {
 public:
  static std::shared_ptr<SafetensorsFile> open(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  bool contains(const std::string& name) const { return tensors_.count(name) > 0; }
  // UserError naming the file and tensor when absent.
  const TensorView& tensor(const std::string& name) const;
  std::vector<std::string> names() const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  SafetensorsFile() = default;
  std::string path_;
  void* mapping_ = nullptr;
  size_t mapped_size_ = 0;
  std::map<std::string, TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

// A tensor to write: the bytes are copied at write time.
// model.safetensors.index.json of a sharded checkpoint: which shard holds each tensor.
struct SafetensorsIndex {
  std::map<std::string, std::string> weight_map;  // tensor -> shard file name
  std::vector<std::string> files;                 // the shards, sorted, each once
};
// UserError naming `where` for a missing weight_map, a non-string entry, or a shard name that is
// not a plain *.safetensors file name in the checkpoint's own folder (no path, no "..").
SafetensorsIndex parse_safetensors_index(const Json& index, const std::string& where);

struct OwnedTensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

// Writes tensors (sorted by name, 8-byte aligned header) atomically.
void write_safetensors(const std::string& path, const std::map<std::string, OwnedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace dlmeval
