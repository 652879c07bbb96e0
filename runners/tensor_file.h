#pragma once
// Safetensors files as LibTorch tensors (inputs and outputs of commands and tests).
#include <torch/torch.h>

#include <map>
#include <string>

namespace dlmeval {

// Every tensor of a safetensors file, copied into LibTorch tensors on the CPU.
std::map<std::string, torch::Tensor> read_tensor_file(const std::string& path);
// Writes CPU copies of the tensors.
void write_tensor_file(const std::string& path, const std::map<std::string, torch::Tensor>& tensors);

}  // namespace dlmeval
