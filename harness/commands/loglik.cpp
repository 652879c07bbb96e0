#include <cstdio>

#include "harness/command_registry.h"
#include "harness/runtime_options.h"
#include "runners/choice/loglik_file.h"

namespace {

struct LoglikArgs {
  dlmeval::ModelArgs model;
  std::string requests, output;
  uint64_t seed = 0;
};

const bool registered = dlmeval::register_command(
    {"loglik", "Estimate log p(answer | prompt) for JSON-lines (prompt_ids, answer_ids, protocol) records",
     [](CLI::App& app) -> std::function<int()> {
       auto args = std::make_shared<LoglikArgs>();
       dlmeval::add_model_options(app, args->model);
       app.add_option("--requests", args->requests,
                      "IN.jsonl: {\"prompt_ids\": [...], \"answer_ids\": [...], \"protocol\": {...}, \"seed\": N} per line")
           ->required();
       app.add_option("--output", args->output, "OUT.jsonl: each record plus loglik, stderr, forward_passes")->required();
       app.add_option("--seed", args->seed, "Seed for records without their own \"seed\"")->capture_default_str();
       return [args] {
         auto r = dlmeval::run_loglik_file(args->model.model_dir, args->model.resolved(), args->requests, args->output,
                                           args->seed);
         std::printf("%lld records scored with %lld forward passes in %.3f s, written to %s\n",
                     static_cast<long long>(r.records), static_cast<long long>(r.forward_passes), r.seconds,
                     args->output.c_str());
         return 0;
       };
     }});

}  // namespace
