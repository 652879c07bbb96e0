#include "runners/tensor_file.h"

#include <cstring>

#include "harness/core/error.h"
#include "runners/checkpoint.h"
#include "runners/io/safetensors.h"

namespace dlmeval {
namespace {

DType from_torch_dtype(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat32: return DType::F32;
    case torch::kFloat16: return DType::F16;
    case torch::kBFloat16: return DType::BF16;
    case torch::kInt64: return DType::I64;
    case torch::kInt32: return DType::I32;
    case torch::kBool: return DType::BOOL;
    case torch::kUInt8: return DType::U8;
    case torch::kFloat64: return DType::F64;
    default: throw UserError(std::string("cannot store dtype ") + c10::toString(t) + " in safetensors");
  }
}

}  // namespace

std::map<std::string, torch::Tensor> read_tensor_file(const std::string& path) {
  auto file = SafetensorsFile::open(path);
  std::map<std::string, torch::Tensor> out;
  for (const auto& name : file->names()) {
    const auto& view = file->tensor(name);
    auto t = torch::empty(view.shape, torch::dtype(to_torch_dtype(view.dtype)));
    std::memcpy(t.data_ptr(), view.data, view.size_bytes);
    out[name] = t;
  }
  return out;
}

void write_tensor_file(const std::string& path, const std::map<std::string, torch::Tensor>& tensors) {
  std::map<std::string, OwnedTensor> owned;
  for (const auto& [name, tensor] : tensors) {
    auto t = tensor.detach().to(torch::kCPU).contiguous();
    OwnedTensor o;
    o.dtype = from_torch_dtype(t.scalar_type());
    o.shape = t.sizes().vec();
    o.bytes.resize(t.numel() * t.element_size());
    std::memcpy(o.bytes.data(), t.data_ptr(), o.bytes.size());
    owned[name] = std::move(o);
  }
  write_safetensors(path, owned);
}

}  // namespace dlmeval
