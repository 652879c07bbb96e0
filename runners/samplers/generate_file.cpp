#include "runners/samplers/generate_file.h"

#include <chrono>

#include "harness/core/error.h"
#include "runners/model.h"
#include "runners/samplers/generation.h"
#include "runners/samplers/sampler.h"
#include "runners/tokenizer/tokenizer.h"

namespace dlmeval {

namespace {

// A 1-D or 2-D JSON integer array as a [B, T] tensor; `rows_given` says which it was.
torch::Tensor to_matrix(const Json& v, const std::string& field, bool& two_d) {
  if (!v.is_array() || v.empty()) throw UserError("'" + field + "' must be a non-empty array");
  two_d = v[0].is_array();
  std::vector<Json> rows = two_d ? v.get<std::vector<Json>>() : std::vector<Json>{v};
  const size_t width = rows[0].size();
  std::vector<int64_t> flat;
  for (const auto& row : rows) {
    if (!row.is_array() || row.size() != width || width == 0)
      throw UserError("'" + field + "' must be a rectangular array of integers");
    for (const auto& x : row) {
      if (!x.is_number_integer()) throw UserError("'" + field + "' holds a non-integer value " + x.dump());
      flat.push_back(x.get<int64_t>());
    }
  }
  return torch::tensor(flat, torch::kLong).view({static_cast<int64_t>(rows.size()), static_cast<int64_t>(width)});
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

Json merged_protocol(const Json& base, const Json& line) {
  Json p = base.is_object() ? base : Json::object();
  if (line.contains("protocol")) {
    if (!line["protocol"].is_object()) throw UserError("'protocol' must be a JSON object");
    for (const auto& [k, v] : line["protocol"].items()) p[k] = v;
  }
  return p;
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
      if (!line.is_object()) throw UserError("a request line must be a JSON object");
      if (!line.contains("prompt_ids")) throw UserError("field 'prompt_ids' is missing");
      bool two_d = false, mask_two_d = false;
      auto prompt = to_matrix(line["prompt_ids"], "prompt_ids", two_d);
      std::optional<torch::Tensor> mask;
      if (line.contains("attention_mask") && !line["attention_mask"].is_null()) {
        mask = to_matrix(line["attention_mask"], "attention_mask", mask_two_d);
        if (mask->sizes() != prompt.sizes()) throw UserError("'attention_mask' must have the shape of 'prompt_ids'");
      }
      uint64_t seed = options.seed.value_or(0);
      if (line.contains("seed")) {
        if (!line["seed"].is_number_unsigned()) throw UserError("'seed' must be a non-negative integer");
        seed = line["seed"].get<uint64_t>();
      }
      const Json protocol = merged_protocol(options.protocol, line);
      SamplerOutput result = generate_tokens(*model, prompt, mask, protocol, seed);
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
