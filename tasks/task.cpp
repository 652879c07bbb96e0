#include "tasks/task.h"

#include <cstdlib>
#include <filesystem>

#include "harness/core/error.h"
#include "harness/core/hash.h"

namespace dlmeval {

std::vector<ScoredSample> Task::score_batch(const std::vector<const Doc*>& docs, const std::vector<TaskRequest>& requests,
                                            const std::vector<TaskOutput>& outputs) const {
  if (docs.size() != requests.size() || docs.size() != outputs.size()) {
    throw std::invalid_argument("score_batch: docs, requests and outputs must have the same length");
  }
  std::vector<ScoredSample> scored;
  scored.reserve(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) scored.push_back(score(*docs[i], requests[i], outputs[i]));
  return scored;
}

std::string Task::prompt_fingerprint() const {
  // Hash per request, then the hash of the digests, so a 14k-doc task never holds all of its
  // rendered prompts in memory at once.
  std::string digests;
  for (const Doc& doc : docs()) {
    const TaskRequest request = build_request(doc);
    digests += sha256_hex(request.doc_id + "\n" + request_hash(request));
  }
  return sha256_hex(name() + "\n" + version() + "\n" + digests);
}

std::string resolve_data_dir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return explicit_dir;
  if (const char* env = std::getenv("DLMEVAL_DATA"); env && *env) return env;
  return (std::filesystem::current_path() / ".." / "shared" / "data").lexically_normal().string();
}

}  // namespace dlmeval
