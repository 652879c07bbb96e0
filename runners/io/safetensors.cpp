#include "runners/io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>

#include "harness/core/error.h"
#include "harness/core/json_io.h"

namespace dlmeval {
namespace {

DType parse_dtype(const std::string& name, const std::string& where) {
  static const std::map<std::string, DType> kNames = {
      {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16}, {"I64", DType::I64},
      {"I32", DType::I32}, {"BOOL", DType::BOOL}, {"U8", DType::U8},   {"F64", DType::F64}};
  auto it = kNames.find(name);
  if (it == kNames.end()) throw UserError(where + ": unsupported dtype '" + name + "'");
  return it->second;
}

}  // namespace

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::F64: case DType::I64: return 8;
    case DType::F32: case DType::I32: return 4;
    case DType::F16: case DType::BF16: return 2;
    case DType::BOOL: case DType::U8: return 1;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::BOOL: return "BOOL";
    case DType::U8: return "U8";
    case DType::F64: return "F64";
  }
  return "?";
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw UserError(path + ": cannot open safetensors file: " + std::strerror(errno));
  struct stat st{};
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    throw UserError(path + ": cannot stat file");
  }
  size_t file_size = static_cast<size_t>(st.st_size);
  if (file_size < 8) {
    ::close(fd);
    throw UserError(path + ": truncated safetensors file (" + std::to_string(file_size) + " bytes, no header)");
  }
  void* map = mmap(nullptr, file_size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) throw UserError(path + ": cannot memory-map file");
  file->mapping_ = map;
  file->mapped_size_ = file_size;
  const uint8_t* base = static_cast<const uint8_t*>(map);

  uint64_t header_len = 0;
  std::memcpy(&header_len, base, 8);  // little-endian on every platform we support
  if (header_len > file_size - 8) {
    throw UserError(path + ": truncated safetensors file: header length " + std::to_string(header_len) +
                    " exceeds file size " + std::to_string(file_size));
  }
  Json header;
  try {
    header = Json::parse(std::string(reinterpret_cast<const char*>(base + 8), header_len));
  } catch (const Json::exception& e) {
    throw UserError(path + ": malformed safetensors header JSON: " + e.what());
  }
  if (!header.is_object()) throw UserError(path + ": safetensors header is not a JSON object");
  const size_t data_start = 8 + header_len;
  const size_t data_size = file_size - data_start;
  std::vector<std::pair<size_t, size_t>> ranges;
  std::vector<std::string> range_names;
  for (auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (entry.is_object())
        for (auto& [k, v] : entry.items()) file->metadata_[k] = v.is_string() ? v.get<std::string>() : v.dump();
      continue;
    }
    const std::string where = path + ": tensor '" + name + "'";
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
      throw UserError(where + ": header entry needs dtype, shape and data_offsets");
    TensorView view;
    view.name = name;
    if (!entry["dtype"].is_string()) throw UserError(where + ": dtype is not a string");
    view.dtype = parse_dtype(entry["dtype"].get<std::string>(), where);
    const Json& shape = entry["shape"];
    if (!shape.is_array()) throw UserError(where + ": shape is not an array");
    for (const Json& d : shape) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0) throw UserError(where + ": bad shape " + shape.dump());
      view.shape.push_back(d.get<int64_t>());
    }
    const Json& off = entry["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      throw UserError(where + ": data_offsets must be two non-negative integers");
    size_t begin = off[0].get<size_t>(), end = off[1].get<size_t>();
    if (begin > end || end > data_size)
      throw UserError(where + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                      "] outside the data region of " + std::to_string(data_size) + " bytes (truncated file?)");
    // A hostile shape ([2^40, 2^40]) must not overflow into a small, plausible byte count.
    size_t expected = dtype_size(view.dtype);
    for (int64_t d : view.shape)
      if (__builtin_mul_overflow(expected, static_cast<size_t>(d), &expected))
        throw UserError(where + ": shape " + shape.dump() + " is too large to address");
    if (end - begin != expected)
      throw UserError(where + ": shape " + shape.dump() + " of " + dtype_name(view.dtype) + " needs " +
                      std::to_string(expected) + " bytes, data_offsets give " + std::to_string(end - begin));
    view.data = base + data_start + begin;
    view.size_bytes = expected;
    ranges.emplace_back(begin, end);
    range_names.push_back(name);
    file->tensors_[name] = std::move(view);
  }
  std::vector<size_t> order(ranges.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ranges[a] < ranges[b]; });
  for (size_t i = 1; i < order.size(); ++i) {
    const auto& prev = ranges[order[i - 1]];
    const auto& cur = ranges[order[i]];
    if (cur.first < prev.second && cur.second > cur.first && prev.second > prev.first)
      throw UserError(path + ": tensors '" + range_names[order[i - 1]] + "' and '" + range_names[order[i]] +
                      "' have overlapping data_offsets");
  }
  // As the reference safetensors requires: the tensors tile the data region exactly. A gap or spare
  // bytes mean a wrong header length or offset, which would otherwise shift every weight silently.
  size_t covered = 0;
  for (size_t i : order) {
    if (ranges[i].first != covered)
      throw UserError(path + ": tensor '" + range_names[i] + "' starts at byte " + std::to_string(ranges[i].first) +
                      " of the data region, not at " + std::to_string(covered) +
                      " where the previous tensor ends (wrong header length or data_offsets?)");
    covered = ranges[i].second;
  }
  if (covered != data_size)
    throw UserError(path + ": the tensors cover " + std::to_string(covered) + " of the " + std::to_string(data_size) +
                    " bytes after the header (wrong header length or data_offsets, or a truncated file?)");
  return file;
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_ != nullptr) munmap(mapping_, mapped_size_);
}

const TensorView& SafetensorsFile::tensor(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw UserError(path_ + ": tensor '" + name + "' is missing");
  return it->second;
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  for (const auto& [name, view] : tensors_) out.push_back(name);
  return out;
}

SafetensorsIndex parse_safetensors_index(const Json& index, const std::string& where) {
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    throw UserError(where + ": missing 'weight_map' object");
  SafetensorsIndex out;
  std::set<std::string> files;
  for (auto& [name, file] : index["weight_map"].items()) {
    if (!file.is_string()) throw UserError(where + ": weight_map entry '" + name + "' is not a file name");
    const std::string shard = file.get<std::string>();
    const bool plain = !shard.empty() && shard.find('/') == std::string::npos && shard.find('\0') == std::string::npos &&
                       shard != "." && shard != ".." && shard.size() > 12 &&
                       shard.compare(shard.size() - 12, 12, ".safetensors") == 0;
    if (!plain)
      throw UserError(where + ": weight_map entry '" + name + "' names '" + shard +
                      "', not a *.safetensors file in the checkpoint folder");
    out.weight_map[name] = shard;
    files.insert(shard);
  }
  out.files.assign(files.begin(), files.end());
  return out;
}

void write_safetensors(const std::string& path, const std::map<std::string, OwnedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  size_t offset = 0;
  for (const auto& [name, t] : tensors) {
    header[name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8 != 0) text.push_back(' ');
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError(path + ": cannot write safetensors file");
    uint64_t len = text.size();
    out.write(reinterpret_cast<const char*>(&len), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& [name, t] : tensors)
      out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
    if (!out) throw UserError(path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw UserError(path + ": cannot rename temporary file");
}

}  // namespace dlmeval
