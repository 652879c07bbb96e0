// Training a masked-diffusion model from scratch: the tokenizer it learns, the checkpoint it
// writes, the objective, determinism, the cache, and that a briefly trained model beats chance on
// a held-out toy task.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness/core/error.h"
#include "harness/core/hash.h"
#include "runners/model.h"
#include "runners/tokenizer/tokenizer.h"
#include "runners/training/bpe_trainer.h"
#include "runners/training/checkpoint_writer.h"
#include "runners/training/masked_diffusion_loss.h"
#include "runners/training/trainer.h"

using namespace dlmeval;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& tag) {
  fs::path dir = fs::temp_directory_path() / ("dlmeval-training-" + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

const std::vector<std::string> kTexts = {
    "Question: Ann has 3 apples. She gets 4 more.\nAnswer: 3+4=7\n#### 7",
    "Question: Tom has 12 pens. He gives away 5.\nAnswer: 12-5=7\n#### 7",
    "def add_3(x):\n    \"\"\"Return x plus 3.\"\"\"\n    return x + 3\n",
    "Question: Which word is a fruit: dog, apple, red or saw?\nAnswer: apple",
};

std::vector<TrainExample> tiny_corpus() {
  std::vector<TrainExample> corpus;
  for (int i = 0; i < 10; ++i) {
    corpus.push_back({"sum", std::string("Question: ").append(std::to_string(i)).append(" plus 1?\nAnswer:"),
                      std::string(" ").append(std::to_string(i + 1))});
  }
  return corpus;
}

TrainOptions tiny_options(const fs::path& out, int64_t steps) {
  TrainOptions o;
  o.out_dir = out.string();
  o.steps = steps;
  o.seed = 11;
  o.d_model = 32;
  o.layers = 1;
  o.heads = 2;
  o.mlp_hidden = 64;
  o.batch_size = 8;
  o.response_length = 4;
  o.bpe_merges = 20;
  return o;
}

}  // namespace

TEST(TrainingTokenizer, LearnedTokenizerLoadsAndRoundTrips) {
  // Four short texts repeat only a few dozen pairs: learning stops when no pair repeats.
  const BpeTokenizerFiles files = learn_bpe_tokenizer(kTexts, 200, 256);
  EXPECT_GT(files.merges, 10u);
  EXPECT_LT(files.merges, 200u);
  EXPECT_EQ(learn_bpe_tokenizer(kTexts, 5, 256).merges, 5u);
  EXPECT_EQ(files.vocab_size, static_cast<int64_t>(256 + files.merges + 4));
  EXPECT_EQ(files.mask_id, files.vocab_size - 1);
  const fs::path dir = scratch("tok");
  write_json_file_atomic((dir / "tokenizer.json").string(), files.tokenizer);
  write_json_file_atomic((dir / "tokenizer_config.json").string(), files.tokenizer_config);
  const Tokenizer tok = Tokenizer::load(dir.string());
  EXPECT_EQ(tok.vocab_size(), files.vocab_size);
  EXPECT_EQ(tok.token_to_id("<|mdm_mask|>"), files.mask_id);
  EXPECT_EQ(tok.token_to_id("<|endoftext|>"), files.eos_id);
  EXPECT_EQ(tok.token_to_id("<|eot_id|>"), files.eot_id);
  EXPECT_TRUE(tok.is_special(files.mask_id));
  for (const std::string& text : kTexts) {
    const auto ids = tok.encode(text);
    EXPECT_EQ(tok.decode(ids), text);
    EXPECT_LT(ids.size(), text.size()) << "merges learned from this text must shorten it";
  }
  // Digits stay single tokens: "12" is two ids whatever the merges.
  EXPECT_EQ(tok.encode("12").size(), 2u);
  // Text the corpus never saw still encodes byte by byte.
  EXPECT_EQ(tok.decode(tok.encode("Zürich ~ €")), "Zürich ~ €");
  EXPECT_EQ(learn_bpe_tokenizer(kTexts, 200, 256).tokenizer, files.tokenizer);
  fs::remove_all(dir);
}

TEST(TrainingCheckpoint, WrittenCheckpointLoadsWithTheSameLogits) {
  const BpeTokenizerFiles tok = learn_bpe_tokenizer(kTexts, 10, 256);
  LladaShape shape;
  shape.d_model = 32;
  shape.n_layers = 2;
  shape.n_heads = 4;
  shape.mlp_hidden = 48;
  shape.vocab_size = tok.vocab_size;
  shape.max_sequence_length = 256;
  const ModelConfig config = parse_model_config(llada_config_json(shape, tok), "test config");
  const TransformerWeights weights = random_weights(config, 5, torch::kCPU, torch::kFloat32);
  const fs::path dir = scratch("ckpt");
  write_llada_checkpoint(dir.string(), config, weights, tok);

  auto loaded = load_model(dir.string(), RuntimeOptions{});
  EXPECT_EQ(loaded->ids.mask_id, tok.mask_id);
  EXPECT_EQ(loaded->ids.eos_id, tok.eos_id);
  EXPECT_EQ(loaded->ids.pad_id, tok.eos_id);
  EXPECT_EQ(loaded->ids.eot_id, tok.eot_id);
  ASSERT_NE(loaded->tokenizer, nullptr);
  EXPECT_EQ(loaded->config.architecture_name, "LLaDAModelLM");
  const Json written = read_json_file((dir / "config.json").string());
  for (const char* key : {"d_model", "n_layers", "n_heads", "n_kv_heads", "mlp_hidden_size", "embedding_size",
                          "vocab_size", "mask_token_id", "eos_token_id", "pad_token_id", "weight_tying"}) {
    EXPECT_TRUE(written.contains(key)) << key;
  }
  auto ids = torch::randint(0, tok.vocab_size, {2, 9}, torch::kLong);
  torch::NoGradGuard no_grad;
  const Transformer original(config, weights, torch::kCPU, torch::kFloat32);
  EXPECT_TRUE(torch::equal(loaded->net->forward(ids, std::nullopt), original.forward(ids, std::nullopt)));
  fs::remove_all(dir);
}

TEST(TrainingObjective, MasksOnlyMaskableTokensAndIsSeeded) {
  const BpeTokenizerFiles tok = learn_bpe_tokenizer(kTexts, 10, 256);
  LladaShape shape{32, 1, 2, 48, tok.vocab_size, 256};
  const ModelConfig config = parse_model_config(llada_config_json(shape, tok), "test config");
  const Transformer net(config, random_weights(config, 2, torch::kCPU, torch::kFloat32), torch::kCPU,
                        torch::kFloat32);
  DiffusionBatch batch;
  batch.ids = torch::randint(0, 256, {4, 12}, torch::kLong);
  batch.real = torch::ones({4, 12}, torch::kBool);
  batch.maskable = torch::zeros({4, 12}, torch::kBool);
  auto gen = at::detail::createCPUGenerator(3);
  const DiffusionLoss none = masked_diffusion_loss(net, batch, tok.mask_id, gen);
  EXPECT_EQ(none.masked_tokens, 0);
  EXPECT_EQ(none.loss.item<double>(), 0.0);

  batch.maskable.index_put_({torch::indexing::Slice(), torch::indexing::Slice(6, 12)}, true);
  auto gen_a = at::detail::createCPUGenerator(9), gen_b = at::detail::createCPUGenerator(9);
  const DiffusionLoss a = masked_diffusion_loss(net, batch, tok.mask_id, gen_a);
  const DiffusionLoss b = masked_diffusion_loss(net, batch, tok.mask_id, gen_b);
  EXPECT_EQ(a.loss.item<double>(), b.loss.item<double>());
  EXPECT_GT(a.masked_tokens, 0);
  EXPECT_LE(a.masked_tokens, 24);
  // An untrained network is about uniform over the vocabulary: CE ~ log V, and the 1/t weight
  // with E[masked fraction] = t keeps the estimate near log V per maskable token on average.
  EXPECT_GT(a.loss.item<double>(), 0.0);
}

TEST(TrainingRun, SameSeedSameCheckpointAndTheCacheTrainsOnce) {
  const fs::path root = scratch("determinism");
  const auto corpus = tiny_corpus();
  const TrainReport first = train_toy_model(corpus, tiny_options(root / "a", 4));
  const TrainReport second = train_toy_model(corpus, tiny_options(root / "b", 4));
  EXPECT_EQ(first.steps, 4);
  EXPECT_EQ(sha256_file((root / "a" / "model.safetensors").string()),
            sha256_file((root / "b" / "model.safetensors").string()));
  EXPECT_EQ(sha256_file((root / "a" / "tokenizer.json").string()),
            sha256_file((root / "b" / "tokenizer.json").string()));
  TrainOptions other_seed = tiny_options(root / "c", 4);
  other_seed.seed = 12;
  train_toy_model(corpus, other_seed);
  EXPECT_NE(sha256_file((root / "a" / "model.safetensors").string()),
            sha256_file((root / "c" / "model.safetensors").string()));

  int calls = 0;
  const ProgressCallback count = [&](const TrainProgress& p) {
    ++calls;
    EXPECT_EQ(p.steps, 3);
  };
  const std::string cached = ensure_toy_model((root / "cache").string(), corpus, tiny_options("", 3), count);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(fs::path(cached).filename().string(), toy_model_cache_name(corpus, tiny_options("", 3)));
  EXPECT_EQ(ensure_toy_model((root / "cache").string(), corpus, tiny_options("", 3), count), cached);
  EXPECT_EQ(calls, 3) << "a cached checkpoint must not be trained again";
  EXPECT_NO_THROW(load_model(cached, RuntimeOptions{}));
  // Another option is another cache entry.
  TrainOptions longer = tiny_options("", 4);
  EXPECT_NE(toy_model_cache_name(corpus, longer), toy_model_cache_name(corpus, tiny_options("", 3)));
  fs::remove_all(root);
}

TEST(TrainingRun, BadOptionsAreUserErrors) {
  const auto corpus = tiny_corpus();
  TrainOptions o = tiny_options(scratch("bad") / "out", 2);
  o.masking = "prefix";
  EXPECT_THROW(train_toy_model(corpus, o), UserError);
  o = tiny_options(scratch("bad") / "out", 2);
  o.d_model = 30;  // not divisible into 2 heads of even size
  EXPECT_THROW(train_toy_model(corpus, o), UserError);
  EXPECT_THROW(train_toy_model({}, tiny_options(scratch("bad") / "out", 2)), UserError);
  // A folder the trainer did not write is never replaced.
  const fs::path foreign = scratch("foreign");
  write_text_file_atomic((foreign / "notes.txt").string(), "keep me");
  EXPECT_THROW(train_toy_model(corpus, tiny_options(foreign, 2)), UserError);
  EXPECT_TRUE(fs::exists(foreign / "notes.txt"));
  fs::remove_all(foreign);
  fs::remove_all(scratch("bad"));
}
