#pragma once
// Protocol presets: JSON files under presets/protocols/ (one protocol per file, named by its file
// stem) or any JSON file given by path. A protocol is a generation protocol when it names a
// `sampler`, a choice protocol when it names an `estimator`.
#include <string>
#include <vector>

#include "harness/core/harness_protocol_fields.h"
#include "harness/core/protocol.h"

namespace dlmeval {

enum class ProtocolKind { Generation, Choice };

struct ResolvedProtocol {
  Protocol protocol;
  ProtocolKind kind = ProtocolKind::Generation;
  std::string source;  // preset file it came from
  std::string description;
};

// Whether a --protocol / --suite value names a JSON file rather than a preset.
bool names_json_file(const std::string& name_or_file);
// The presets folder: $DLMEVAL_PRESETS, else the source tree's presets/.
std::string presets_dir();
// Every preset, sorted by name.
std::vector<ResolvedProtocol> list_protocol_presets();
// A preset name or a JSON file path; UserError naming it when unknown or malformed.
ResolvedProtocol resolve_protocol(const std::string& name_or_file);
ProtocolKind protocol_kind(const Json& settings, const std::string& where);
// The settings without the harness fields: what the runner's samplers and estimators receive.
Json runner_protocol(const Json& settings);

}  // namespace dlmeval
