#pragma once
// `dlmeval loglik`: one (prompt, answer) pair per JSON line in, the same line plus its estimate out.
// LibTorch-free header so the command file stays out of LibTorch.
#include <cstdint>
#include <string>

#include "runners/runner.h"

namespace dlmeval {

struct LoglikFileReport {
  int64_t records = 0;
  int64_t forward_passes = 0;
  double seconds = 0;
};

// IN lines: {"prompt_ids": [...], "answer_ids": [...], "protocol": {...}, "seed": N}; "protocol" and
// "seed" are optional (defaults: the estimator defaults and `default_seed`); other fields are
// copied through. OUT lines add "loglik", "stderr" (0 for deterministic estimators, null when it
// cannot be estimated), "forward_passes", and replace "protocol" by its normalised form and
// "seed" by the seed used. UserError naming IN:line for a bad record.
LoglikFileReport run_loglik_file(const std::string& model_dir, const RuntimeOptions& options,
                                 const std::string& input_path, const std::string& output_path, uint64_t default_seed);

}  // namespace dlmeval
