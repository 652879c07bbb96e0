#include "runners/samplers/generation.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <map>

#include "harness/core/error.h"
#include "runners/request_limits.h"
#include "runners/model.h"
#include "runners/samplers/sampler.h"
#include "runners/tokenizer/tokenizer.h"

namespace dlmeval {

namespace {

struct Group {
  GenerationSettings settings;
  std::vector<size_t> members;
};

void run_batch(const LoadedModel& model, const GenerationSettings& s, const std::vector<GenerationRequest>& requests,
               const std::vector<size_t>& rows, std::vector<GenerationResult>& results) {
  size_t longest = 0;
  bool any_stops = false;
  for (size_t r : rows) {
    longest = std::max(longest, requests[r].prompt_ids.size());
    any_stops = any_stops || !requests[r].stop_strings.empty();
  }
  if (any_stops && !model.tokenizer)
    throw UserError("stop strings need a tokenizer, and " + model.dir + " has no tokenizer.json");
  const int64_t B = static_cast<int64_t>(rows.size()), P = static_cast<int64_t>(longest);
  const int64_t pad = model.ids.pad_id >= 0 ? model.ids.pad_id : std::max<int64_t>(s.eos_id, 0);
  auto prompt = torch::full({B, P}, pad, torch::kLong);
  auto mask = torch::zeros({B, P}, torch::kLong);
  std::vector<std::vector<std::string>> stops;
  for (int64_t b = 0; b < B; ++b) {
    const auto& ids = requests[rows[b]].prompt_ids;
    const int64_t offset = P - static_cast<int64_t>(ids.size());
    prompt[b].narrow(0, offset, static_cast<int64_t>(ids.size())).copy_(torch::tensor(ids, torch::kLong));
    mask[b].narrow(0, offset, static_cast<int64_t>(ids.size())).fill_(1);
    stops.push_back(requests[rows[b]].stop_strings);
  }
  std::optional<torch::Tensor> attention;
  if ((mask == 0).any().item<bool>()) attention = mask;
  std::optional<StopStringRule> stop_rule;
  if (any_stops) stop_rule.emplace(*model.tokenizer, stops);
  torch::Generator gen = at::detail::createCPUGenerator(requests[rows[0]].seed);
  SamplerOutput out;
  const ModelCost spent = work_during(*model.net, [&] {
    out = generate_tokens(*model.net, s, prompt, attention, gen, stop_rule ? &*stop_rule : nullptr);
  });
  auto generated = out.generated().contiguous();
  for (int64_t b = 0; b < B; ++b) {
    const int64_t* p = generated[b].data_ptr<int64_t>();
    TokenIds row(p, p + generated.size(1));
    const auto& request = requests[rows[b]];
    KeptOutput kept = keep_output(row, model.tokenizer.get(), request.stop_strings, s.eos_id, s.eot_id, s.stop_at_eos);
    GenerationResult& result = results[rows[b]];
    result.output_ids = std::move(kept.ids);
    result.text = std::move(kept.text);
    result.forward_passes = out.forward_passes;
    result.generated_tokens = static_cast<int64_t>(result.output_ids.size());
    result.cost = spent.share(B);
  }
}

}  // namespace

std::vector<GenerationResult> generate_requests(const LoadedModel& model, const std::vector<GenerationRequest>& requests,
                                                const GenerationBatchOptions& options) {
  std::vector<GenerationResult> results(requests.size());
  std::map<std::string, Group> groups;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& request = requests[i];
    if (request.prompt_ids.empty()) throw UserError("generation request " + std::to_string(i) + ": prompt_ids is empty");
    GenerationSettings s;
    try {
      s = parse_generation_protocol(request.protocol, model.ids);
    } catch (const UserError& e) {
      throw UserError("generation request " + std::to_string(i) + ": " + e.what());
    }
    check_sampler_fits(s, model.config, "generation request " + std::to_string(i));
    std::string key = normalize_generation_protocol(request.protocol, model.ids).dump();
    if (s.stochastic()) key.append(" request ").append(std::to_string(i));  // alone, with its own generator
    auto& group = groups[key];
    group.settings = s;
    group.members.push_back(i);
  }
  const size_t max_batch = std::max<size_t>(1, options.max_batch);
  // Every batch is checked before the first one runs: a run must not fail on its last batch.
  for (auto& [key, group] : groups) {
    auto& m = group.members;
    std::stable_sort(m.begin(), m.end(),
                     [&](size_t a, size_t b) { return requests[a].prompt_ids.size() < requests[b].prompt_ids.size(); });
    for (size_t start = 0; start < m.size(); start += max_batch) {
      const size_t end = std::min(m.size(), start + max_batch);
      const auto longest = static_cast<int64_t>(requests[m[end - 1]].prompt_ids.size());
      check_sequence_length(longest, group.settings.max_generated_tokens(), model.config.max_sequence_length);
      check_generation_memory(model, group.settings, static_cast<int64_t>(end - start), longest);
    }
  }
  for (auto& [key, group] : groups) {
    auto& m = group.members;
    for (size_t start = 0; start < m.size(); start += max_batch) {
      std::vector<size_t> rows(m.begin() + static_cast<std::ptrdiff_t>(start),
                               m.begin() + static_cast<std::ptrdiff_t>(std::min(m.size(), start + max_batch)));
      run_batch(model, group.settings, requests, rows, results);
    }
  }
  return results;
}

}  // namespace dlmeval
