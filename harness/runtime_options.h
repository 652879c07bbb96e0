#pragma once
// The options every model-running command shares: --model, --device, --dtype, --threads and the
// special-id overrides.
#include <CLI/CLI.hpp>
#include <string>

#include "runners/runner.h"

namespace dlmeval {

struct ModelArgs {
  std::string model_dir;
  RuntimeOptions runtime;
  int64_t mask_id = -1, eos_id = -1, eot_id = -1;
  // Folds the -1 "unset" values of the id flags into runtime's optionals.
  RuntimeOptions resolved() const;
};

void add_model_options(CLI::App& app, ModelArgs& args, bool model_required = true);

}  // namespace dlmeval
