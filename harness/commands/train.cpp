// `dlmeval train`: trains a small masked-diffusion model on the toy suite and writes a checkpoint
// folder that every other command loads like a real one.
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "harness/command_registry.h"
#include "runners/training/trainer.h"
#include "tasks/toy_suite.h"

namespace {

struct TrainArgs {
  dlmeval::TrainOptions options;
  std::string data_dir;
  uint64_t suite_seed = dlmeval::kToySuiteDefaultSeed;
};

// A redrawn bar on a terminal; otherwise a plain line at every tenth of the run.
dlmeval::ProgressCallback progress_printer() {
  const bool terminal = ::isatty(::fileno(stderr)) != 0;
  return [terminal](const dlmeval::TrainProgress& p) {
    const double done = static_cast<double>(p.step) / static_cast<double>(p.steps);
    if (terminal) {
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(done * kWidth);
      std::fprintf(stderr, "\r[%s%s] %lld/%lld loss %.3f %.0fs", std::string(filled, '#').c_str(),
                   std::string(kWidth - filled, '.').c_str(), static_cast<long long>(p.step),
                   static_cast<long long>(p.steps), p.loss, p.seconds);
      if (p.step == p.steps) std::fprintf(stderr, "\n");
    } else {
      const int64_t tenth = std::max<int64_t>(1, p.steps / 10);
      if (p.step % tenth == 0 || p.step == p.steps) {
        std::fprintf(stderr, "step %lld/%lld loss %.4f %.1fs\n", static_cast<long long>(p.step),
                     static_cast<long long>(p.steps), p.loss, p.seconds);
      }
    }
    std::fflush(stderr);
  };
}

std::vector<dlmeval::TrainExample> as_corpus(const std::vector<dlmeval::ToyExample>& examples) {
  std::vector<dlmeval::TrainExample> corpus;
  for (const auto& ex : examples) corpus.push_back({ex.family, ex.prompt, ex.response, ex.response_length});
  return corpus;
}

const bool registered = dlmeval::register_command(
    {"train", "Train a small masked-diffusion model on the toy suite and save it as a checkpoint folder",
     [](CLI::App& app) -> std::function<int()> {
       auto args = std::make_shared<TrainArgs>();
       auto& o = args->options;
       app.add_option("--out", o.out_dir, "Checkpoint folder to write (new, empty, or an earlier dlmeval train output)")->required();
       app.add_option("--data-dir", args->data_dir,
                      "Train on the toy/*/train.jsonl files of this data directory (default: the suite generated "
                      "from --suite-seed)");
       app.add_option("--suite-seed", args->suite_seed, "Seed of the generated toy suite")->capture_default_str();
       app.add_option("--steps", o.steps, "Optimizer steps")->capture_default_str();
       app.add_option("--seed", o.seed, "Seed of weights, batches and masks")->capture_default_str();
       app.add_option("--threads", o.threads, "LibTorch threads (0 = all cores; one suits this small model)")->capture_default_str();
       app.add_option("--d-model", o.d_model, "Hidden size")->capture_default_str();
       app.add_option("--layers", o.layers, "Transformer blocks")->capture_default_str();
       app.add_option("--heads", o.heads, "Attention heads")->capture_default_str();
       app.add_option("--mlp-hidden", o.mlp_hidden, "SwiGLU hidden size")->capture_default_str();
       app.add_option("--batch-size", o.batch_size, "Sequences per step")->capture_default_str();
       app.add_option("--lr", o.learning_rate, "Peak learning rate (AdamW)")->capture_default_str();
       app.add_option("--warmup", o.warmup_steps, "Linear warm-up steps")->capture_default_str();
       app.add_option("--weight-decay", o.weight_decay, "AdamW weight decay of the matrices")->capture_default_str();
       app.add_option("--grad-clip", o.grad_clip, "Gradient norm clip (0 = off)")->capture_default_str();
       app.add_option("--response-length", o.response_length,
                      "Response + EOS padding tokens per example (the generation window)")
           ->capture_default_str();
       app.add_option("--bpe-merges", o.bpe_merges, "Tokenizer merges learned from the corpus")->capture_default_str();
       app.add_option("--masking", o.masking,
                      "response: mask response and EOS only (LLaDA SFT); full: prompt too (iLLaDA)")
           ->check(CLI::IsMember({"response", "full"}))
           ->capture_default_str();
       return [args] {
         const auto examples = args->data_dir.empty()
                                   ? dlmeval::toy_training_examples(dlmeval::generate_toy_suite(args->suite_seed))
                                   : dlmeval::toy_training_examples(args->data_dir);
         const dlmeval::TrainReport report =
             dlmeval::train_toy_model(as_corpus(examples), args->options, progress_printer());
         std::printf("trained %lld steps in %.1f s: loss %.3f -> %.3f, %lld parameters, vocabulary %lld\n",
                     static_cast<long long>(report.steps), report.seconds, report.initial_loss, report.final_loss,
                     static_cast<long long>(report.parameters), static_cast<long long>(report.vocab_size));
         std::printf("checkpoint written to %s\n", report.checkpoint_dir.c_str());
         return 0;
       };
     }});

}  // namespace
