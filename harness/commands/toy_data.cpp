// `dlmeval toy-data`: writes the generated toy suite (tasks/toy_suite.h) into a data directory.
#include <cstdio>

#include "harness/command_registry.h"
#include "tasks/toy_suite.h"

namespace {

struct ToyDataArgs {
  std::string out;
  uint64_t seed = dlmeval::kToySuiteDefaultSeed;
};

const bool registered = dlmeval::register_command(
    {"toy-data", "Write the toy suite (toy_arith, toy_choice, toy_code, toy_count) into a data directory",
     [](CLI::App& app) -> std::function<int()> {
       auto args = std::make_shared<ToyDataArgs>();
       app.add_option("--out", args->out, "Data directory to write toy/... into")->required();
       app.add_option("--seed", args->seed, "Seed of the suite")->capture_default_str();
       return [args] {
         dlmeval::write_toy_suite(args->out, args->seed);
         std::printf("toy suite (seed %llu) written to %s/toy\n", static_cast<unsigned long long>(args->seed),
                     args->out.c_str());
         return 0;
       };
     }});

}  // namespace
