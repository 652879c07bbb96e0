#include "runners/training/trainer.h"

#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <random>

#include "harness/core/error.h"
#include "harness/core/hash.h"
#include "runners/model.h"
#include "runners/tokenizer/tokenizer.h"
#include "runners/training/checkpoint_writer.h"
#include "runners/training/masked_diffusion_loss.h"

namespace dlmeval {
namespace {

namespace fs = std::filesystem;

// Part of every cache key: bump when a change here changes what a given seed trains.
constexpr const char* kTrainerVersion = "1";
constexpr const char* kDlmevalVersion = "0.1.0";
constexpr const char* kProvenanceFile = "dlmeval_training.json";
constexpr int64_t kLossWindow = 20;

struct TokenizedExample {
  std::vector<int64_t> prompt, response;
  int64_t response_length = 0;  // response + EOS padding tokens
};

void check_options(const TrainOptions& o) {
  auto positive = [](int64_t value, const char* what) {
    if (value <= 0) throw UserError(std::string("train: ") + what + " must be positive, got " + std::to_string(value));
  };
  positive(o.steps, "--steps");
  positive(o.d_model, "--d-model");
  positive(o.layers, "--layers");
  positive(o.heads, "--heads");
  positive(o.mlp_hidden, "--mlp-hidden");
  positive(o.batch_size, "--batch-size");
  positive(o.response_length, "--response-length");
  if (o.d_model % o.heads != 0 || (o.d_model / o.heads) % 2 != 0) {
    throw UserError("train: --d-model " + std::to_string(o.d_model) + " must split into " + std::to_string(o.heads) +
                    " heads of even size");
  }
  if (!(o.learning_rate > 0)) throw UserError("train: --lr must be positive");
  if (o.warmup_steps < 0 || o.weight_decay < 0 || o.grad_clip < 0) {
    throw UserError("train: --warmup, --weight-decay and --grad-clip must not be negative");
  }
  if (o.masking != "response" && o.masking != "full") {
    throw UserError("train: --masking must be \"response\" or \"full\", got \"" + o.masking + "\"");
  }
}

double learning_rate_at(const TrainOptions& o, int64_t step) {
  if (step < o.warmup_steps) return o.learning_rate * static_cast<double>(step + 1) / static_cast<double>(o.warmup_steps);
  const double span = static_cast<double>(std::max<int64_t>(1, o.steps - o.warmup_steps));
  const double progress = static_cast<double>(step - o.warmup_steps) / span;
  return o.learning_rate * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(M_PI * progress)));
}

class BatchSampler {
 public:
  BatchSampler(const std::vector<TrainExample>& corpus, std::vector<TokenizedExample> tokens, const TrainOptions& o,
               int64_t eos_id)
      : tokens_(std::move(tokens)), options_(o), eos_id_(eos_id), rng_(o.seed ^ 0x9e3779b97f4a7c15ULL) {
    std::map<std::string, std::vector<size_t>> by_family;
    for (size_t i = 0; i < corpus.size(); ++i) by_family[corpus[i].family].push_back(i);
    for (auto& [family, members] : by_family) families_.push_back(std::move(members));
  }

  DiffusionBatch next(int64_t* real_tokens) {
    const int64_t B = options_.batch_size;
    std::vector<std::vector<int64_t>> rows(B);
    std::vector<size_t> starts(B);
    size_t longest = 0;
    for (int64_t b = 0; b < B; ++b) {
      const auto& members = families_[below(families_.size())];
      const TokenizedExample& ex = tokens_[members[below(members.size())]];
      const size_t room = static_cast<size_t>(std::max<int64_t>(0, ex.response_length -
                                                                       static_cast<int64_t>(ex.response.size())));
      const size_t pad = below(room + 1);
      auto& row = rows[b];
      row = ex.prompt;
      row.insert(row.end(), ex.response.begin(), ex.response.end());
      row.insert(row.end(), pad, eos_id_);
      starts[b] = options_.masking == "full" ? 0 : ex.prompt.size();
      longest = std::max(longest, row.size());
    }
    const int64_t T = static_cast<int64_t>(longest);
    auto ids = torch::full({B, T}, eos_id_, torch::kLong);
    auto real = torch::zeros({B, T}, torch::kBool);
    auto maskable = torch::zeros({B, T}, torch::kBool);
    auto ids_a = ids.accessor<int64_t, 2>();
    auto real_a = real.accessor<bool, 2>();
    auto mask_a = maskable.accessor<bool, 2>();
    for (int64_t b = 0; b < B; ++b) {
      for (size_t j = 0; j < rows[b].size(); ++j) {
        ids_a[b][j] = rows[b][j];
        real_a[b][j] = true;
        mask_a[b][j] = j >= starts[b];
      }
      *real_tokens += static_cast<int64_t>(rows[b].size());
    }
    return DiffusionBatch{ids, real, maskable};
  }

 private:
  size_t below(size_t n) { return static_cast<size_t>(rng_() % n); }

  std::vector<TokenizedExample> tokens_;
  std::vector<std::vector<size_t>> families_;
  const TrainOptions& options_;
  int64_t eos_id_;
  std::mt19937_64 rng_;
};

std::string corpus_hash(const std::vector<TrainExample>& corpus) {
  std::string all;
  for (const TrainExample& ex : corpus) {
    Json record = {ex.family, ex.prompt, ex.response};
    if (ex.response_length > 0) record.push_back(ex.response_length);  // earlier corpora keep their hash
    all += record.dump() + "\n";
  }
  return sha256_hex(all);
}

}  // namespace

Json TrainOptions::to_json() const {
  return Json{{"steps", steps},
              {"seed", seed},
              {"d_model", d_model},
              {"layers", layers},
              {"heads", heads},
              {"mlp_hidden", mlp_hidden},
              {"batch_size", batch_size},
              {"learning_rate", learning_rate},
              {"warmup_steps", warmup_steps},
              {"weight_decay", weight_decay},
              {"grad_clip", grad_clip},
              {"response_length", response_length},
              {"bpe_merges", bpe_merges},
              {"masking", masking}};
}

Json TrainReport::to_json() const {
  return Json{{"steps", steps},           {"seconds", seconds},       {"initial_loss", initial_loss},
              {"final_loss", final_loss}, {"parameters", parameters}, {"vocab_size", vocab_size},
              {"tokens_seen", tokens_seen}};
}

TrainReport train_toy_model(const std::vector<TrainExample>& corpus, const TrainOptions& options,
                            const ProgressCallback& progress) {
  check_options(options);
  if (corpus.empty()) throw UserError("train: the training corpus is empty");
  if (options.out_dir.empty()) throw UserError("train: no output folder given (--out)");
  const auto started = std::chrono::steady_clock::now();
  configure_threads(options.threads);

  std::vector<std::string> texts;
  for (const TrainExample& ex : corpus) texts.push_back(ex.prompt + ex.response);
  constexpr int64_t kMaxSequence = 1024;
  const BpeTokenizerFiles tokenizer_files = learn_bpe_tokenizer(texts, options.bpe_merges, kMaxSequence);
  std::error_code ec;
  if (fs::is_directory(options.out_dir, ec) && !fs::is_empty(options.out_dir, ec)) {
    // Only a folder this trainer wrote is replaced; anything else might be the user's data.
    if (!fs::exists(fs::path(options.out_dir) / kProvenanceFile)) {
      throw UserError("train: " + options.out_dir +
                      " exists and is not a checkpoint written by dlmeval train; choose a new or empty folder");
    }
    fs::remove_all(options.out_dir, ec);
  }
  fs::create_directories(options.out_dir, ec);
  if (ec) throw UserError(options.out_dir + ": cannot create the checkpoint folder: " + ec.message());
  write_json_file_atomic((fs::path(options.out_dir) / "tokenizer.json").string(), tokenizer_files.tokenizer);
  write_json_file_atomic((fs::path(options.out_dir) / "tokenizer_config.json").string(),
                         tokenizer_files.tokenizer_config);
  const Tokenizer tokenizer = Tokenizer::load(options.out_dir);

  std::vector<TokenizedExample> tokens;
  for (const TrainExample& ex : corpus) {
    const int64_t window = ex.response_length > 0 ? ex.response_length : options.response_length;
    TokenizedExample t{tokenizer.encode(ex.prompt), tokenizer.encode(ex.response), window};
    const size_t length = t.prompt.size() + std::max<size_t>(t.response.size(), static_cast<size_t>(window));
    if (length > static_cast<size_t>(kMaxSequence)) {
      throw UserError("train: an example of family \"" + ex.family + "\" needs " + std::to_string(length) +
                      " tokens, more than the " + std::to_string(kMaxSequence) + " the model holds");
    }
    tokens.push_back(std::move(t));
  }

  LladaShape shape;
  shape.d_model = options.d_model;
  shape.n_layers = options.layers;
  shape.n_heads = options.heads;
  shape.mlp_hidden = options.mlp_hidden;
  shape.vocab_size = tokenizer_files.vocab_size;
  shape.max_sequence_length = kMaxSequence;
  const ModelConfig config = parse_model_config(llada_config_json(shape, tokenizer_files), "toy model config");
  TransformerWeights weights = random_weights(config, options.seed, torch::kCPU, torch::kFloat32);
  std::vector<torch::Tensor> decayed, plain;
  for (torch::Tensor& t : weights.all()) {
    t.set_requires_grad(true);
    (t.dim() >= 2 ? decayed : plain).push_back(t);
  }
  const Transformer net(config, weights, torch::kCPU, torch::kFloat32);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decayed, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(options.learning_rate).weight_decay(options.weight_decay)));
  groups.emplace_back(plain, std::make_unique<torch::optim::AdamWOptions>(
                                 torch::optim::AdamWOptions(options.learning_rate).weight_decay(0.0)));
  torch::optim::AdamW optimizer(std::move(groups), torch::optim::AdamWOptions(options.learning_rate));
  std::vector<torch::Tensor> parameters = weights.all();

  BatchSampler sampler(corpus, std::move(tokens), options, tokenizer_files.eos_id);
  at::Generator generator = at::detail::createCPUGenerator(options.seed + 1);
  TrainReport report;
  report.checkpoint_dir = options.out_dir;
  report.steps = options.steps;
  report.parameters = config.parameter_count();
  report.vocab_size = config.vocab_size;
  std::deque<double> recent;
  double first_sum = 0;
  int64_t first_count = 0;
  for (int64_t step = 0; step < options.steps; ++step) {
    const double lr = learning_rate_at(options, step);
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    const DiffusionBatch batch = sampler.next(&report.tokens_seen);
    optimizer.zero_grad();
    const DiffusionLoss loss = masked_diffusion_loss(net, batch, tokenizer_files.mask_id, generator);
    loss.loss.backward();
    if (options.grad_clip > 0) torch::nn::utils::clip_grad_norm_(parameters, options.grad_clip);
    optimizer.step();

    const double value = loss.loss.item<double>();
    if (step < kLossWindow) {
      first_sum += value;
      ++first_count;
    }
    recent.push_back(value);
    if (static_cast<int64_t>(recent.size()) > kLossWindow) recent.pop_front();
    if (progress) {
      TrainProgress p;
      p.step = step + 1;
      p.steps = options.steps;
      for (double v : recent) p.loss += v / static_cast<double>(recent.size());
      p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      progress(p);
    }
  }
  report.initial_loss = first_sum / static_cast<double>(std::max<int64_t>(1, first_count));
  for (double v : recent) report.final_loss += v / static_cast<double>(recent.size());

  write_llada_checkpoint(options.out_dir, config, weights, tokenizer_files);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  write_json_file_atomic((fs::path(options.out_dir) / kProvenanceFile).string(),
                         Json{{"dlmeval_version", kDlmevalVersion},
                              {"trainer_version", kTrainerVersion},
                              {"options", options.to_json()},
                              {"corpus_sha256", corpus_hash(corpus)},
                              {"corpus_examples", corpus.size()},
                              {"report", report.to_json()}});
  return report;
}

std::string toy_model_cache_name(const std::vector<TrainExample>& corpus, const TrainOptions& options) {
  const Json key = {{"dlmeval_version", kDlmevalVersion},
                    {"trainer_version", kTrainerVersion},
                    {"options", options.to_json()},
                    {"corpus_sha256", corpus_hash(corpus)}};
  return "toy-model-" + short_fingerprint(key.dump());
}

std::string ensure_toy_model(const std::string& cache_dir, const std::vector<TrainExample>& corpus,
                             const TrainOptions& options, const ProgressCallback& progress) {
  const fs::path final_dir = fs::path(cache_dir) / toy_model_cache_name(corpus, options);
  // The provenance file is written last, so its presence means a finished checkpoint.
  if (fs::exists(final_dir / kProvenanceFile)) return final_dir.string();
  TrainOptions staged = options;
  staged.out_dir = final_dir.string() + ".tmp-" + std::to_string(::getpid());
  train_toy_model(corpus, staged, progress);
  std::error_code ec;
  // Another process may have finished the same checkpoint meanwhile; theirs is as good as ours.
  if (!fs::exists(final_dir / kProvenanceFile)) {
    fs::remove_all(final_dir, ec);
    fs::rename(staged.out_dir, final_dir, ec);
  }
  fs::remove_all(staged.out_dir);
  if (!fs::exists(final_dir / kProvenanceFile)) {
    throw UserError(final_dir.string() + ": cannot store the trained model: " + ec.message());
  }
  return final_dir.string();
}

}  // namespace dlmeval
