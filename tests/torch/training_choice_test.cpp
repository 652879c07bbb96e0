// A briefly trained model beats chance on the held-out toy_choice split: the loss falls, and
// scoring each option by its log-probability with the option's tokens masked (one pass, LLaDA's
// confidence scoring) picks the right answer far more often than one time in four.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "harness/core/json_io.h"
#include "runners/model.h"
#include "runners/tokenizer/tokenizer.h"
#include "runners/training/trainer.h"

using namespace dlmeval;
namespace fs = std::filesystem;

namespace {

// The ARC rendering the toy_choice task uses (tasks/toy_suite.h).
std::string prompt_of(const Json& record) {
  return std::string("Question: ").append(record["question"]["stem"].get<std::string>()).append("\nAnswer:");
}

// Options follow the prompt after a space, as lm-eval's target delimiter puts them.
std::string option_text(const Json& choice) { return std::string(" ").append(choice["text"].get<std::string>()); }

size_t gold_of(const Json& record) {
  const Json& choices = record["question"]["choices"];
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i]["label"] == record["answerKey"]) return i;
  }
  throw std::runtime_error("record without gold label");
}

double option_log_prob(const LoadedModel& model, const std::vector<int64_t>& context, const std::vector<int64_t>& option) {
  std::vector<int64_t> ids = context;
  ids.insert(ids.end(), option.size(), model.ids.mask_id);
  auto logits = model.net->forward(torch::tensor(ids, torch::kLong).unsqueeze(0), std::nullopt);
  auto log_probs = torch::log_softmax(logits[0], -1);
  double total = 0;
  for (size_t j = 0; j < option.size(); ++j) {
    total += log_probs[static_cast<int64_t>(context.size() + j)][option[j]].item<double>();
  }
  return total;
}

}  // namespace

TEST(TrainingChoice, BriefTrainingBeatsChanceOnHeldOutQuestions) {
  const fs::path root = fs::temp_directory_path() / ("dlmeval-training-choice-" + std::to_string(::getpid()));
  fs::remove_all(root);
  const std::string command =
      std::string(DLMEVAL_BINARY).append(" toy-data --out ").append((root / "data").string()).append(" > /dev/null");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  std::vector<TrainExample> corpus;
  for (const Json& r : read_jsonl_file((root / "data/toy/choice/train.jsonl").string())) {
    corpus.push_back({"choice", prompt_of(r), option_text(r["question"]["choices"][gold_of(r)])});
  }
  TrainOptions options;
  options.out_dir = (root / "model").string();
  options.steps = 150;
  options.seed = 3;
  options.d_model = 64;
  options.layers = 2;
  options.heads = 4;
  options.mlp_hidden = 128;
  options.batch_size = 32;
  options.response_length = 4;
  options.bpe_merges = 60;
  const TrainReport report = train_toy_model(corpus, options);
  EXPECT_LT(report.final_loss, 0.6 * report.initial_loss) << report.to_json().dump();

  RuntimeOptions runtime;
  runtime.threads = 1;
  auto model = load_model(options.out_dir, runtime);
  torch::NoGradGuard no_grad;
  const std::vector<Json> test = read_jsonl_file((root / "data/toy/choice/test.jsonl").string());
  size_t correct = 0;
  for (const Json& r : test) {
    const auto context = model->tokenizer->encode(prompt_of(r));
    size_t best = 0;
    double best_score = -1e30;
    const Json& choices = r["question"]["choices"];
    for (size_t i = 0; i < choices.size(); ++i) {
      const double score = option_log_prob(*model, context, model->tokenizer->encode(option_text(choices[i])));
      if (score > best_score) {
        best_score = score;
        best = i;
      }
    }
    correct += best == gold_of(r);
  }
  const double accuracy = static_cast<double>(correct) / static_cast<double>(test.size());
  std::printf("toy_choice accuracy after %lld steps (%.1f s): %.3f (chance 0.25), loss %.3f -> %.3f\n",
              static_cast<long long>(report.steps), report.seconds, accuracy, report.initial_loss, report.final_loss);
  EXPECT_GT(accuracy, 0.45);
  fs::remove_all(root);
}
