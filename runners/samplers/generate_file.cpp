#include "runners/samplers/generate_file.h"

#include <chrono>

#include "harness/core/error.h"
#include "runners/device.h"
#include "runners/model.h"
#include "runners/request_lines.h"
#include "runners/samplers/generation.h"
#include "runners/samplers/sampler.h"
#include "runners/tokenizer/tokenizer.h"

namespace dlmeval {

namespace {

torch::Tensor to_matrix(const std::vector<TokenIds>& rows) {
  std::vector<int64_t> flat;
  for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
  return torch::tensor(flat, torch::kLong).view({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())});
}

Json ids_to_json(const torch::Tensor& m, bool two_d) {
  auto c = m.to(torch::kCPU).contiguous();
  Json rows = Json::array();
  for (int64_t b = 0; b < c.size(0); ++b) {
    const int64_t* p = c[b].data_ptr<int64_t>();
    rows.push_back(std::vector<int64_t>(p, p + c.size(1)));
  }
  return two_d ? rows : rows[0];
}

}  // namespace

GenerateFileReport run_generate_file(const GenerateCommandOptions& options, const std::string& input_path,
                                     const std::string& output_path) {
  auto model = load_model(options.model_dir, options.runtime);
  GenerateFileReport report;
  std::string out;
  auto start = std::chrono::steady_clock::now();
  for_each_jsonl(input_path, [&](const Json& line, size_t number) {
    try {
      const GenerateLine request = parse_generate_line(line, options.protocol, options.seed.value_or(0));
      const bool two_d = request.two_d;
      const Json& protocol = request.protocol;
      auto prompt = to_matrix(request.prompt_rows);
      std::optional<torch::Tensor> mask;
      if (request.attention_mask) mask = to_matrix(*request.attention_mask);
      SamplerOutput result = generate_tokens(*model, prompt, mask, protocol, request.seed);
      Json record = line;
      const Json normalized = normalize_generation_protocol(protocol, model->ids);
      Json output = ids_to_json(result.generated(), two_d);
      if (normalized.value("early_exit", false)) {
        // Blocks an early exit never decoded still hold the mask id: they are not generated tokens.
        // Each row ends where its kept output ends; `undecoded` counts the positions dropped.
        const int64_t mask_id = normalized.at("mask_id").get<int64_t>();
        Json undecoded = Json::array();
        auto trim = [&](Json& ids) {
          int64_t dropped = 0;
          while (!ids.empty() && ids.back().get<int64_t>() == mask_id) {
            ids.erase(ids.size() - 1);
            ++dropped;
          }
          undecoded.push_back(dropped);
        };
        if (two_d) {
          for (Json& row : output) trim(row);
        } else {
          trim(output);
        }
        record["undecoded"] = two_d ? undecoded : undecoded[0];
      }
      record["output_ids"] = output;
      record["forward_passes"] = result.forward_passes;
      record["protocol_normalized"] = normalized;
      out += record.dump() + "\n";
      report.forward_passes += result.forward_passes;
      ++report.records;
    } catch (const UserError& e) {
      throw UserError(input_path + ":" + std::to_string(number) + ": " + e.what());
    } catch (const c10::Error& e) {
      throw UserError(input_path + ":" + std::to_string(number) + ": LibTorch refused the request: " + first_line(e));
    }
  });
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_text_file_atomic(output_path, out);
  return report;
}

PromptGeneration run_generate_prompt(const GenerateCommandOptions& options, const std::string& prompt, bool chat,
                                     const std::vector<std::string>& stop_strings) {
  normalize_generation_protocol(options.protocol);  // bad fields fail before the model loads
  auto model = load_model(options.model_dir, options.runtime);
  if (!model->tokenizer) throw UserError(options.model_dir + ": --prompt needs a tokenizer.json in the checkpoint folder");
  PromptGeneration out;
  GenerationRequest request;
  if (chat) {
    out.prompt_text = model->tokenizer->apply_chat_template(Json::array({{{"role", "user"}, {"content", prompt}}}), true);
    request.prompt_ids = model->tokenizer->encode(out.prompt_text, /*add_special_tokens=*/false);
  } else {
    out.prompt_text = prompt;
    request.prompt_ids = model->tokenizer->encode(prompt, /*add_special_tokens=*/true);
  }
  if (request.prompt_ids.empty()) throw UserError("--prompt encodes to no tokens");
  request.protocol = options.protocol;
  request.seed = options.seed.value_or(0);
  request.stop_strings = stop_strings;
  out.result = generate_requests(*model, {request}).at(0);
  return out;
}

}  // namespace dlmeval
