// Measures the default (demo) training configuration end to end; disabled in normal runs because
// it trains for minutes. Run it explicitly:
//   DLMEVAL_TOY_EVAL=/tmp/toy-eval dlmeval_torch_tests --gtest_also_run_disabled_tests
//       --gtest_filter='*DemoConfiguration*'
// It writes the toy suite to $DLMEVAL_TOY_EVAL/data, trains with `dlmeval train` (the demo's
// defaults) into $DLMEVAL_TOY_EVAL/model unless a model is already there, then answers every toy
// test question with the protocols the demo uses and writes predictions files
// ($DLMEVAL_TOY_EVAL/predictions_<task>.jsonl) that `dlmeval score` (and the disabled
// ToyTasks.DISABLED_ScoreDemoPredictions unit test) score with the real scorers and sandbox.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness/core/json_io.h"
#include "runners/choice/choice_scoring.h"
#include "runners/model.h"
#include "runners/samplers/generation.h"
#include "runners/tokenizer/tokenizer.h"

using namespace dlmeval;
namespace fs = std::filesystem;

namespace {

// The generation protocol of the toy tasks in the demo: LLaDA low-confidence remasking.
const Json kGeneration = {{"sampler", "llada"}, {"gen_length", 32}, {"block_length", 8}, {"steps", 32}};
const Json kChoice = {{"estimator", "exact_elbo"}};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST(TrainingDemo, DISABLED_DemoConfiguration) {
  const char* env = std::getenv("DLMEVAL_TOY_EVAL");
  ASSERT_NE(env, nullptr) << "set DLMEVAL_TOY_EVAL to a scratch folder";
  const fs::path root(env);
  const std::string bin = DLMEVAL_BINARY;
  ASSERT_EQ(std::system((bin + " toy-data --out " + (root / "data").string()).c_str()), 0);
  if (!fs::exists(root / "model" / "dlmeval_training.json")) {
    const std::string train = bin + " train --data-dir " + (root / "data").string() + " --out " + (root / "model").string();
    std::printf("%s\n", train.c_str());
    ASSERT_EQ(std::system(train.c_str()), 0);
  }
  RuntimeOptions runtime;
  runtime.threads = 1;  // as fast for this small model, and steady on a busy machine
  auto model = load_model((root / "model").string(), runtime);
  const Tokenizer& tok = *model->tokenizer;

  for (const std::string family : {"arith", "code"}) {
    const auto start = std::chrono::steady_clock::now();
    const std::vector<Json> test = read_jsonl_file((root / "data/toy" / family / "test.jsonl").string());
    std::vector<GenerationRequest> requests;
    for (const Json& r : test) {
      GenerationRequest request;
      request.prompt_ids = tok.encode(family == "arith" ? std::string("Question: ").append(r["question"].get<std::string>()).append("\nAnswer:")
                                                        : r["prompt"].get<std::string>());
      request.protocol = kGeneration;
      request.stop_strings = family == "arith" ? std::vector<std::string>{"Question:"}
                                               : std::vector<std::string>{"\nclass", "\ndef", "\n#", "\nif", "\nprint"};
      requests.push_back(std::move(request));
    }
    const auto results = generate_requests(*model, requests);
    std::ofstream out(root / ("predictions_toy_" + family + ".jsonl"));
    size_t exact = 0;
    for (size_t i = 0; i < test.size(); ++i) {
      const Json id = family == "arith" ? Json(std::to_string(i)) : test[i]["task_id"];
      out << Json{{"doc_id", id}, {"output", results[i].text}}.dump() << "\n";
      const std::string expected = family == "arith" ? std::string(" ").append(test[i]["answer"].get<std::string>())
                                                     : test[i]["canonical_solution"].get<std::string>();
      exact += results[i].text == expected || results[i].text + "\n" == expected;
    }
    std::printf("toy_%s: %zu of %zu completions equal the reference exactly (%.1f s); first: %s\n", family.c_str(),
                exact, test.size(), seconds_since(start), Json(results[0].text).dump().c_str());
  }

  const auto start = std::chrono::steady_clock::now();
  const std::vector<Json> test = read_jsonl_file((root / "data/toy/choice/test.jsonl").string());
  std::vector<ChoiceRequest> requests;
  for (const Json& r : test) {
    ChoiceRequest request;
    request.contexts = {tok.encode(std::string("Question: ").append(r["question"]["stem"].get<std::string>()).append("\nAnswer:"))};
    for (const Json& c : r["question"]["choices"]) request.continuations.push_back(tok.encode(std::string(" ").append(c["text"].get<std::string>())));
    request.protocol = kChoice;
    requests.push_back(std::move(request));
  }
  const auto results = score_choice_requests(*model, requests);
  std::ofstream out(root / "predictions_toy_choice.jsonl");
  for (size_t i = 0; i < test.size(); ++i) out << Json{{"doc_id", test[i]["id"]}, {"loglik", results[i].loglik}}.dump() << "\n";
  std::printf("toy_choice: scored %zu questions (%.1f s)\n", test.size(), seconds_since(start));
}
