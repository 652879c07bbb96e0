#include "harness/core/protocol.h"

#include "harness/core/error.h"
#include "harness/core/hash.h"

namespace dlmeval {

std::string Protocol::fingerprint() const { return short_fingerprint(canonical()); }

Json Protocol::to_json() const {
  Json j = settings;
  j["name"] = name;
  return j;
}

Protocol Protocol::from_json(const Json& j, const std::string& fallback_name) {
  if (!j.is_object()) throw UserError("protocol must be a JSON object, got: " + j.dump());
  Protocol p;
  p.settings = j;
  if (j.contains("name")) {
    if (!j["name"].is_string()) throw UserError("protocol field 'name' must be a string");
    p.name = j["name"].get<std::string>();
    p.settings.erase("name");
  } else {
    p.name = fallback_name;
  }
  if (j.contains("description")) p.settings.erase("description");
  return p;
}

}  // namespace dlmeval
