#include "harness/protocol_presets.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "harness/core/error.h"
#include "runners/choice/choice_protocol.h"
#include "runners/samplers/generation_protocol.h"

namespace fs = std::filesystem;

namespace dlmeval {
namespace {

ResolvedProtocol load_preset_file(const fs::path& path) {
  Json j = read_json_file(path.string());
  ResolvedProtocol r;
  std::string description;
  if (j.is_object() && j.contains("description") && j["description"].is_string())
    description = j["description"].get<std::string>();
  r.protocol = Protocol::from_json(j, path.stem().string());
  r.kind = protocol_kind(r.protocol.settings, path.string());
  // Every default is filled in, so the fingerprint covers every setting that can move a number.
  // Fields the harness itself interprets are set aside while the runner's rules check the rest.
  Json harness_fields = Json::object();
  for (const std::string& key : harness_protocol_fields()) {
    if (r.protocol.settings.contains(key)) {
      if (!r.protocol.settings[key].is_boolean())
        throw UserError(path.string() + ": protocol field '" + key + "' must be true or false");
      harness_fields[key] = r.protocol.settings[key];
      r.protocol.settings.erase(key);
    }
  }
  try {
    r.protocol.settings = r.kind == ProtocolKind::Generation ? normalize_generation_protocol(r.protocol.settings)
                                                             : normalize_choice_protocol(r.protocol.settings);
  } catch (const UserError& e) {
    throw UserError(path.string() + ": " + e.what());
  }
  for (auto& [key, value] : harness_fields.items()) r.protocol.settings[key] = value;
  r.source = path.string();
  r.description = description;
  return r;
}

}  // namespace

Json runner_protocol(const Json& settings) {
  Json out = settings;
  for (const auto& key : harness_protocol_fields()) out.erase(key);
  return out;
}

bool names_json_file(const std::string& name_or_file) {
  return name_or_file.size() > 5 && name_or_file.substr(name_or_file.size() - 5) == ".json";
}

std::string presets_dir() {
  if (const char* env = std::getenv("DLMEVAL_PRESETS")) return env;
  return std::string(DLMEVAL_SOURCE_DIR) + "/presets";
}

ProtocolKind protocol_kind(const Json& settings, const std::string& where) {
  const bool sampler = settings.contains("sampler"), estimator = settings.contains("estimator");
  if (sampler == estimator)
    throw UserError(where + ": a protocol names exactly one of 'sampler' (generation) or 'estimator' (choice scoring)");
  return sampler ? ProtocolKind::Generation : ProtocolKind::Choice;
}

std::vector<ResolvedProtocol> list_protocol_presets() {
  std::vector<ResolvedProtocol> out;
  const fs::path root = fs::path(presets_dir()) / "protocols";
  if (!fs::exists(root)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") out.push_back(load_preset_file(entry.path()));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.protocol.name < b.protocol.name; });
  return out;
}

ResolvedProtocol resolve_protocol(const std::string& name_or_file) {
  if (names_json_file(name_or_file)) {
    if (!fs::exists(name_or_file)) throw UserError(name_or_file + ": protocol file not found");
    return load_preset_file(name_or_file);
  }
  for (auto& preset : list_protocol_presets())
    if (preset.protocol.name == name_or_file) return preset;
  throw UserError("unknown protocol '" + name_or_file + "' (see `dlmeval protocols`, or pass a .json file)");
}

}  // namespace dlmeval
