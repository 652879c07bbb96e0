#include "runners/choice/loglik_file.h"

#include <chrono>
#include <cmath>

#include "harness/core/error.h"
#include "runners/choice/choice_scoring.h"
#include "runners/device.h"
#include "runners/model.h"
#include "runners/request_lines.h"

namespace dlmeval {

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
    try {
      const LoglikLine parsed = parse_loglik_line(record, default_seed);
      ChoiceRequest request;
      request.contexts = {parsed.prompt_ids};
      request.continuations = {parsed.answer_ids};
      request.seed = parsed.seed;
      const Json normalized = normalize_choice_protocol(parsed.protocol);
      request.protocol = normalized;
      const ChoiceResult result = score_choice_requests(*model, {request}).at(0);
      Json line = record;
      line["protocol"] = normalized;
      line["seed"] = request.seed;
      line["loglik"] = result.loglik[0];
      line["stderr"] = std::isnan(result.stderr_of_loglik[0]) ? Json(nullptr) : Json(result.stderr_of_loglik[0]);
      line["forward_passes"] = result.forward_passes;
      if (!result.is_greedy.empty()) line["is_greedy"] = static_cast<bool>(result.is_greedy[0]);
      out += line.dump() + "\n";
      report.forward_passes += result.forward_passes;
    } catch (const UserError& e) {
      throw UserError(where + ": " + e.what());
    } catch (const c10::Error& e) {
      throw UserError(where + ": LibTorch refused the request: " + first_line(e));
    }
    ++report.records;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_text_file_atomic(output_path, out);
  return report;
}

}  // namespace dlmeval
