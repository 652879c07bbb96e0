#include "runners/choice/loglik_file.h"

#include <chrono>
#include <cmath>

#include "harness/core/error.h"
#include "runners/choice/choice_scoring.h"
#include "runners/model.h"

namespace dlmeval {
namespace {

TokenIds token_list(const Json& record, const char* field, const std::string& where) {
  if (!record.contains(field)) throw UserError(where + ": field '" + field + "' is missing");
  const Json& v = record[field];
  if (!v.is_array()) throw UserError(where + ": field '" + std::string(field) + "' must be an array of token ids");
  TokenIds ids;
  for (const auto& x : v) {
    if (!x.is_number_integer()) throw UserError(where + ": field '" + std::string(field) + "' holds a non-integer: " + x.dump());
    ids.push_back(x.get<int64_t>());
  }
  return ids;
}

}  // namespace

LoglikFileReport run_loglik_file(const std::string& model_dir, const RuntimeOptions& options,
                                 const std::string& input_path, const std::string& output_path, uint64_t default_seed) {
  const auto records = read_jsonl_file(input_path);
  auto model = load_model(model_dir, options);
  LoglikFileReport report;
  const auto start = std::chrono::steady_clock::now();
  std::string out;
  size_t index = 0;
  for (const auto& record : records) {
    const std::string where = input_path + ": record " + std::to_string(++index);
    if (!record.is_object()) throw UserError(where + ": must be a JSON object");
    ChoiceRequest request;
    request.contexts = {token_list(record, "prompt_ids", where)};
    request.continuations = {token_list(record, "answer_ids", where)};
    request.seed = default_seed;
    if (record.contains("seed")) {
      if (!record["seed"].is_number_unsigned())
        throw UserError(where + ": field 'seed' must be a non-negative integer, got " + record["seed"].dump());
      request.seed = record["seed"].get<uint64_t>();
    }
    Json normalized;
    try {
      normalized = normalize_choice_protocol(record.value("protocol", Json::object()));
      request.protocol = normalized;
      const ChoiceResult result = score_choice_requests(*model, {request}).at(0);
      Json line = record;
      line["protocol"] = normalized;
      line["seed"] = request.seed;
      line["loglik"] = result.loglik[0];
      line["stderr"] = std::isnan(result.stderr_of_loglik[0]) ? Json(nullptr) : Json(result.stderr_of_loglik[0]);
      line["forward_passes"] = result.forward_passes;
      out += line.dump() + "\n";
      report.forward_passes += result.forward_passes;
    } catch (const UserError& e) {
      throw UserError(where + ": " + e.what());
    }
    ++report.records;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_text_file_atomic(output_path, out);
  return report;
}

}  // namespace dlmeval
