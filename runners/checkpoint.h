#pragma once
// A Hugging Face checkpoint folder: config.json plus model.safetensors, or shards listed in
// model.safetensors.index.json. Every structural problem is a UserError naming file and tensor.
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>

#include "runners/io/model_config.h"
#include "runners/io/safetensors.h"

namespace dlmeval {

class Checkpoint {
 public:
  // Opens and validates the folder against its config: every expected tensor present in the file
  // the index names, with the expected shape and a float dtype; no unexpected tensors.
  static Checkpoint open(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const ModelConfig& config() const { return config_; }
  const std::vector<std::string>& files() const { return files_; }
  // The weights' stored dtype (of the first tensor), e.g. "BF16".
  std::string stored_dtype() const;
  // A tensor converted to `dtype` on `device`. On CPU with a matching dtype the memory mapping is
  // used directly (no copy); BF16 weights go to the device without an fp32 host copy.
  torch::Tensor load(const std::string& name, torch::Device device, torch::ScalarType dtype) const;

 private:
  std::string dir_;
  ModelConfig config_;
  std::vector<std::string> files_;
  std::map<std::string, std::pair<std::shared_ptr<SafetensorsFile>, const TensorView*>> tensors_;
};

torch::ScalarType to_torch_dtype(DType dtype);
// "f32" | "bf16" | "f16" → torch dtype; UserError otherwise.
torch::ScalarType parse_compute_dtype(const std::string& name);
// "cpu" | "cuda" | "cuda:N" → device; UserError when CUDA is requested but unavailable.
torch::Device parse_device(const std::string& name);

}  // namespace dlmeval
