// `dlmeval generate`: run a generation protocol on request files or on one prompt.
#include <cstdio>
#include <map>
#include <optional>

#include "harness/command_registry.h"
#include "harness/core/error.h"
#include "harness/core/json_io.h"
#include "harness/runtime_options.h"
#include "runners/samplers/generate_file.h"

namespace {

struct GenerateArgs {
  dlmeval::ModelArgs model;
  std::string requests, output, prompt, protocol_file;
  bool chat = false;
  uint64_t seed = 0;
  std::vector<std::string> stops, sets;
  // Flags named after protocol fields; only those given enter the protocol.
  std::map<std::string, std::string> strings;
  std::map<std::string, int64_t> ints;
  std::map<std::string, double> doubles;
};

// Parses KEY=VALUE where VALUE is JSON (a bare word counts as a string).
std::pair<std::string, dlmeval::Json> parse_set(const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) throw dlmeval::UserError("--set expects KEY=VALUE, got '" + kv + "'");
  const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
  dlmeval::Json parsed = dlmeval::Json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) parsed = value;
  return {key, parsed};
}

dlmeval::Json build_protocol(const GenerateArgs& a, CLI::App& app) {
  dlmeval::Json p = a.protocol_file.empty() ? dlmeval::Json::object() : dlmeval::read_json_file(a.protocol_file);
  if (!p.is_object()) throw dlmeval::UserError(a.protocol_file + ": a protocol must be a JSON object");
  p.erase("name");
  p.erase("description");
  auto given = [&](const std::string& field) {
    std::string flag = "--" + field;
    for (auto& ch : flag) if (ch == '_') ch = '-';
    return app.count(flag) > 0;
  };
  for (const auto& [k, v] : a.strings) if (given(k)) p[k] = v;
  for (const auto& [k, v] : a.ints) if (given(k)) p[k] = v;
  for (const auto& [k, v] : a.doubles) if (given(k)) p[k] = v;
  for (const auto& kv : a.sets) {
    auto [k, v] = parse_set(kv);
    p[k] = v;
  }
  return p;
}

const bool registered = dlmeval::register_command(
    {"generate", "Generate with a diffusion sampler (LLaDA, iLLaDA, Dream, fast variants) from request files or a prompt",
     [](CLI::App& app) -> std::function<int()> {
       auto a = std::make_shared<GenerateArgs>();
       dlmeval::add_model_options(app, a->model);
       auto* requests = app.add_option("--requests", a->requests, "IN.jsonl: {\"prompt_ids\", \"attention_mask\"?, \"protocol\"?, \"seed\"?} per line");
       auto* output = app.add_option("--output", a->output, "OUT.jsonl: the input lines plus output_ids (with early exit, each row ends where its decoded canvas ends; undecoded counts the positions left out) and forward_passes");
       auto* prompt = app.add_option("--prompt", a->prompt, "Generate for this text and print the decoded output");
       requests->needs(output);
       output->needs(requests);
       requests->excludes(prompt);
       app.add_flag("--chat", a->chat, "Apply the tokenizer's chat template to --prompt");
       app.add_option("--stop", a->stops, "Stop string for --prompt (repeatable)");
       app.add_option("--seed", a->seed, "Seed of the random draws (default 0)");
       app.add_option("--protocol", a->protocol_file, "Protocol JSON file (flags below override its fields)");
       app.add_option("--set", a->sets, "Protocol field KEY=VALUE (VALUE is JSON; repeatable)");
       for (const char* f : {"sampler", "remasking", "alg"}) app.add_option(std::string("--") + f, a->strings[f], "Protocol field");
       for (const char* f : {"steps", "gen_length", "block_length", "max_length", "steps_per_block", "max_new_tokens"}) {
         std::string flag = std::string("--") + f;
         for (auto& ch : flag) if (ch == '_') ch = '-';
         app.add_option(flag, a->ints[f], "Protocol field " + std::string(f));
       }
       for (const char* f : {"temperature", "cfg_scale", "threshold", "top_p", "eps", "alg_temp"}) {
         std::string flag = std::string("--") + f;
         for (auto& ch : flag) if (ch == '_') ch = '-';
         app.add_option(flag, a->doubles[f], "Protocol field " + std::string(f));
       }
       return [a, &app] {
         dlmeval::GenerateCommandOptions options;
         options.model_dir = a->model.model_dir;
         options.runtime = a->model.resolved();
         options.protocol = build_protocol(*a, app);
         if (app.count("--seed") > 0) options.seed = a->seed;
         if (!a->requests.empty()) {
           auto r = dlmeval::run_generate_file(options, a->requests, a->output);
           std::printf("%zu request lines, %lld forward passes, written to %s (%.3f s)\n", r.records,
                       static_cast<long long>(r.forward_passes), a->output.c_str(), r.seconds);
           return 0;
         }
         if (a->prompt.empty()) throw dlmeval::UserError("generate needs --requests IN --output OUT or --prompt TEXT");
         auto g = dlmeval::run_generate_prompt(options, a->prompt, a->chat, a->stops);
         std::printf("%s\n", g.result.text.c_str());
         std::fprintf(stderr, "%lld tokens, %lld forward passes\n", static_cast<long long>(g.result.generated_tokens),
                      static_cast<long long>(g.result.forward_passes));
         return 0;
       };
     }});

}  // namespace
