#include "harness/core/records.h"

#include "harness/core/error.h"
#include "harness/core/hash.h"

namespace dlmeval {

Json request_json(const TaskRequest& r) {
  Json j = {{"kind", r.kind == RequestKind::Generate ? "generate" : "choice"},
            {"contexts", r.contexts},
            {"continuations", r.continuations},
            {"until", r.stop_strings},
            {"samples", r.samples}};
  if (!r.chat_messages.empty()) j["chat_messages"] = r.chat_messages;
  return j;
}

std::string request_hash(const TaskRequest& request) { return sha256_hex(request_json(request).dump()); }

Json SampleRecord::to_json() const {
  const bool generate = request.kind == RequestKind::Generate;
  Json record = {{"doc_id", doc_id},
                 {"doc_index", doc_index},
                 {"task", task},
                 {"protocol", protocol},
                 {"protocol_fingerprint", protocol_fingerprint},
                 {"doc", doc},
                 {"target", request.target},
                 {"arguments", request_json(request)},
                 {"resps", generate ? Json(output.texts) : Json(output.loglik)},
                 {"filtered_resps", scored.filtered},
                 {"metrics", scored.metrics},
                 {"doc_hash", sha256_hex(doc.dump())},
                 {"prompt_hash", request_hash(request)},
                 {"target_hash", sha256_hex(request.target.dump())},
                 {"seed", seed},
                 {"seconds", cost.seconds},
                 {"prompt_tokens", cost.prompt_tokens},
                 {"forward_passes", cost.forward_passes},
                 {"cost", cost.model.to_json()}};
  if (generate) {
    record["generated_tokens"] = cost.generated_tokens;
    record["generated_tokens_per_sample"] = cost.generated_tokens_per_sample;
  } else {
    record["loglik_stderr"] = cost.loglik_stderr;
    if (!output.is_greedy.empty()) record["is_greedy"] = output.is_greedy;
  }
  return record;
}

SampleView read_sample_view(const Json& record, const std::string& where) {
  if (!record.is_object() || !record.contains("doc_id") || !record["doc_id"].is_string())
    throw UserError(where + ": a sample record needs a string \"doc_id\"");
  SampleView view;
  view.doc_id = record["doc_id"].get<std::string>();
  auto metrics = record.find("metrics");
  if (metrics == record.end() || !metrics->is_object())
    throw UserError(where + ": doc " + view.doc_id + ": field 'metrics' must be an object of numbers");
  for (const auto& [name, value] : metrics->items()) {
    if (value.is_boolean()) {
      view.metrics[name] = value.get<bool>() ? 1.0 : 0.0;
    } else if (value.is_number()) {
      view.metrics[name] = value.get<double>();
    } else {
      throw UserError(where + ": doc " + view.doc_id + ": metrics." + name + " must be a number, got " + value.dump());
    }
  }
  return view;
}

}  // namespace dlmeval
