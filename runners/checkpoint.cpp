#include "runners/checkpoint.h"

#include <filesystem>

#include "harness/core/error.h"
#include "harness/core/json_io.h"

namespace fs = std::filesystem;

namespace dlmeval {
namespace {

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s.append(", ");
    s.append(std::to_string(shape[i]));
  }
  s.push_back(']');
  return s;
}

}  // namespace

torch::ScalarType to_torch_dtype(DType dtype) {
  switch (dtype) {
    case DType::F32: return torch::kFloat32;
    case DType::F16: return torch::kFloat16;
    case DType::BF16: return torch::kBFloat16;
    case DType::I64: return torch::kInt64;
    case DType::I32: return torch::kInt32;
    case DType::BOOL: return torch::kBool;
    case DType::U8: return torch::kUInt8;
    case DType::F64: return torch::kFloat64;
  }
  return torch::kFloat32;
}

torch::ScalarType parse_compute_dtype(const std::string& name) {
  if (name == "f32" || name == "float32" || name == "fp32") return torch::kFloat32;
  if (name == "bf16" || name == "bfloat16") return torch::kBFloat16;
  if (name == "f16" || name == "float16" || name == "fp16") return torch::kFloat16;
  throw UserError("unknown dtype '" + name + "' (use f32 or bf16)");
}

torch::Device parse_device(const std::string& name) {
  torch::Device device(torch::kCPU);
  try {
    device = torch::Device(name);
  } catch (const c10::Error&) {
    throw UserError("unknown device '" + name + "' (use cpu, cuda or cuda:N)");
  }
  if (device.is_cuda() && !torch::cuda::is_available())
    throw UserError("device '" + name + "' requested but CUDA is not available in this build or machine");
  return device;
}

Checkpoint Checkpoint::open(const std::string& dir) {
  Checkpoint ck;
  ck.dir_ = dir;
  ck.config_ = load_model_config(dir);
  const fs::path root(dir);
  std::map<std::string, std::string> weight_map;  // tensor -> file name
  std::vector<std::string> file_names;
  const fs::path index_path = root / "model.safetensors.index.json";
  if (fs::exists(index_path)) {
    SafetensorsIndex index = parse_safetensors_index(read_json_file(index_path.string()), index_path.string());
    weight_map = std::move(index.weight_map);
    file_names = std::move(index.files);
  } else if (fs::exists(root / "model.safetensors")) {
    file_names.push_back("model.safetensors");
  } else {
    throw UserError(dir + ": no model.safetensors or model.safetensors.index.json");
  }
  std::map<std::string, std::shared_ptr<SafetensorsFile>> opened;
  for (const auto& name : file_names) {
    fs::path p = root / name;
    if (!fs::exists(p)) throw UserError(p.string() + ": missing shard (named in model.safetensors.index.json)");
    opened[name] = SafetensorsFile::open(p.string());
    ck.files_.push_back(p.string());
  }
  // Where each tensor lives: the index decides for sharded checkpoints.
  std::map<std::string, std::string> location;
  for (const auto& [file, st] : opened) {
    for (const auto& t : st->names()) {
      if (!weight_map.empty()) {
        auto it = weight_map.find(t);
        if (it == weight_map.end())
          throw UserError((root / file).string() + ": tensor '" + t + "' is not listed in model.safetensors.index.json");
        if (it->second != file)
          throw UserError((root / file).string() + ": tensor '" + t + "' is listed in the index under " + it->second);
      }
      location[t] = file;
    }
  }
  for (const auto& [t, file] : weight_map) {
    if (!location.count(t))
      throw UserError((root / file).string() + ": tensor '" + t + "' named in the index is missing from the shard");
  }
  std::set<std::string> expected_names;
  for (const auto& e : ck.config_.expected_tensors()) {
    expected_names.insert(e.name);
    auto it = location.find(e.name);
    if (it == location.end())
      throw UserError(dir + ": tensor '" + e.name + "' is missing (config.json needs it)");
    const auto& st = opened[it->second];
    const TensorView& view = st->tensor(e.name);
    if (view.shape != e.shape)
      throw UserError(st->path() + ": tensor '" + e.name + "' has shape " + shape_string(view.shape) +
                      ", config.json implies " + shape_string(e.shape));
    if (view.dtype != DType::F32 && view.dtype != DType::BF16 && view.dtype != DType::F16)
      throw UserError(st->path() + ": tensor '" + e.name + "' has dtype " + dtype_name(view.dtype) +
                      " (weights must be F32, BF16 or F16)");
    ck.tensors_[e.name] = {st, &view};
  }
  for (const auto& [t, file] : location) {
    if (!expected_names.count(t))
      throw UserError((root / file).string() + ": unexpected tensor '" + t + "' (not part of a " +
                      ck.config_.architecture_name + " model with this config)");
  }
  return ck;
}

std::string Checkpoint::stored_dtype() const {
  if (tensors_.empty()) return "?";
  return dtype_name(tensors_.begin()->second.second->dtype);
}

torch::Tensor Checkpoint::load(const std::string& name, torch::Device device, torch::ScalarType dtype) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw UserError(dir_ + ": tensor '" + name + "' is missing");
  const auto& [file, view] = it->second;
  const auto stored = to_torch_dtype(view->dtype);
  std::shared_ptr<SafetensorsFile> keep_alive = file;
  auto mapped = torch::from_blob(const_cast<uint8_t*>(view->data), view->shape,
                                 [keep_alive](void*) {}, torch::TensorOptions().dtype(stored));
  const bool aligned = reinterpret_cast<uintptr_t>(view->data) % dtype_size(view->dtype) == 0;
  if (device.is_cpu() && stored == dtype && aligned) return mapped;
  if (!aligned) mapped = mapped.clone();
  // Move first, convert second: a BF16 tensor reaches the GPU as BF16, never as an fp32 host copy.
  return mapped.to(device).to(dtype).contiguous();
}

}  // namespace dlmeval
