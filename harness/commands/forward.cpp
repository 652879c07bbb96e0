#include <cstdio>

#include "harness/command_registry.h"
#include "harness/runtime_options.h"
#include "runners/forward_file.h"

namespace {

struct ForwardArgs {
  dlmeval::ModelArgs model;
  std::string input, output;
};

const bool registered = dlmeval::register_command(
    {"forward", "Compute logits for input_ids (and attention_mask) stored in a safetensors file",
     [](CLI::App& app) -> std::function<int()> {
       auto args = std::make_shared<ForwardArgs>();
       dlmeval::add_model_options(app, args->model);
       app.add_option("--input", args->input, "IN.safetensors with input_ids I64 [B,T], optional attention_mask")
           ->required();
       app.add_option("--output", args->output, "OUT.safetensors receiving logits F32 [B,T,V]")->required();
       return [args] {
         auto r = dlmeval::run_forward_file(args->model.model_dir, args->model.resolved(), args->input, args->output);
         std::printf("logits [%lld, %lld, %lld] written to %s (%.3f s)\n", static_cast<long long>(r.batch),
                     static_cast<long long>(r.tokens), static_cast<long long>(r.vocab), args->output.c_str(), r.seconds);
         return 0;
       };
     }});

}  // namespace
