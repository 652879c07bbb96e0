// Wall time to execute every HumanEval canonical solution in the code sandbox, by worker count.
// Each program starts bubblewrap and a fresh Python, so this measures the per-program sandbox cost
// (namespace setup, interpreter start, teardown) more than the tests themselves.
#include <benchmark/benchmark.h>

#include <sstream>
#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "scorers/sandbox.h"

namespace {

const std::vector<std::string>& humaneval_programs() {
  static const std::vector<std::string> programs = [] {
    std::vector<std::string> out;
    std::istringstream lines(dlmeval::read_file_bytes(std::string(DLMEVAL_SHARED_DIR) + "/data/humaneval/HumanEval.jsonl.gz"));
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      dlmeval::Json doc = dlmeval::Json::parse(line);
      out.push_back(doc.at("prompt").get<std::string>() + doc.at("canonical_solution").get<std::string>() + "\n" +
                    doc.at("test").get<std::string>() + "\ncheck(" + doc.at("entry_point").get<std::string>() + ")\n");
    }
    return out;
  }();
  return programs;
}

void BM_SandboxHumanEvalCanonical(benchmark::State& state) {
  const auto& programs = humaneval_programs();
  int workers = static_cast<int>(state.range(0));
  std::string reason;
  if (!dlmeval::sandbox_available("", &reason)) {
    state.SkipWithError(("sandbox unavailable: " + reason).c_str());
    return;
  }
  int64_t passed = 0;
  for (auto _ : state) {
    auto results = dlmeval::run_python_programs(programs, dlmeval::SandboxLimits{}, workers);
    passed = 0;
    for (const auto& r : results) passed += r.passed;
    benchmark::DoNotOptimize(passed);
  }
  if (passed != static_cast<int64_t>(programs.size())) state.SkipWithError("a canonical solution failed");
  state.counters["programs"] = static_cast<double>(programs.size());
  state.counters["programs_per_s"] =
      benchmark::Counter(static_cast<double>(programs.size()) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

BENCHMARK(BM_SandboxHumanEvalCanonical)->Arg(1)->Arg(2)->ArgName("workers")->Iterations(1)->Repetitions(3)
    ->UseRealTime()->Unit(benchmark::kSecond);

}  // namespace
