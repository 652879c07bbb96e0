// Tokenizer speed on the texts the reference was timed on (README of golden/tokenizers): the
// 1,204 gsm8k_test + humaneval + bbh texts of qwen3/encode.jsonl, encoded one at a time on one
// thread with the Qwen3 tokenizer. Reference (HF tokenizers 0.23.2 via Node, warm cache, best of
// 15): 5,700-6,700 texts/s, 1.9-2.2 MB/s; loading tokenizer.json 0.41-0.75 s.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "harness/core/json_io.h"
#include "runners/tokenizer/tokenizer.h"

namespace {

const std::string kQwen3Dir = std::string(DLMEVAL_SHARED_DIR) + "/golden/tokenizers/qwen3";

const std::vector<std::string>& dataset_texts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    for (const auto& record : dlmeval::read_jsonl_file(kQwen3Dir + "/encode.jsonl")) {
      const std::string src = record["src"].get<std::string>();
      if (src == "gsm8k_test" || src == "humaneval" || src.rfind("bbh/", 0) == 0)
        out.push_back(record["text"].get<std::string>());
    }
    return out;
  }();
  return texts;
}

size_t total_bytes(const std::vector<std::string>& texts) {
  size_t bytes = 0;
  for (const auto& text : texts) bytes += text.size();
  return bytes;
}

void report(benchmark::State& state, const std::vector<std::string>& texts, size_t ids) {
  const double rounds = static_cast<double>(state.iterations());
  state.counters["texts/s"] = benchmark::Counter(rounds * texts.size(), benchmark::Counter::kIsRate);
  state.counters["MB/s"] = benchmark::Counter(rounds * total_bytes(texts) / 1e6, benchmark::Counter::kIsRate);
  state.counters["texts"] = static_cast<double>(texts.size());
  state.counters["ids"] = static_cast<double>(ids);
}

void BM_TokenizerLoadQwen3(benchmark::State& state) {
  for (auto _ : state) {
    dlmeval::Tokenizer tokenizer = dlmeval::Tokenizer::load(kQwen3Dir);
    benchmark::DoNotOptimize(tokenizer);
  }
}
BENCHMARK(BM_TokenizerLoadQwen3)->Unit(benchmark::kMillisecond)->Iterations(3);

// Warm: the word cache already holds the words of the texts (like the reference's best figure).
void BM_TokenizerEncodeQwen3Warm(benchmark::State& state) {
  const auto& texts = dataset_texts();
  const dlmeval::Tokenizer tokenizer = dlmeval::Tokenizer::load(kQwen3Dir);
  for (const auto& text : texts) benchmark::DoNotOptimize(tokenizer.encode(text));
  size_t ids = 0;
  for (auto _ : state) {
    ids = 0;
    for (const auto& text : texts) ids += tokenizer.encode(text).size();
    benchmark::DoNotOptimize(ids);
  }
  report(state, texts, ids);
}
BENCHMARK(BM_TokenizerEncodeQwen3Warm)->Unit(benchmark::kMillisecond);

// Cold: a freshly loaded tokenizer (empty word cache) for every round; loading is not timed.
void BM_TokenizerEncodeQwen3Cold(benchmark::State& state) {
  const auto& texts = dataset_texts();
  size_t ids = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const dlmeval::Tokenizer tokenizer = dlmeval::Tokenizer::load(kQwen3Dir);
    state.ResumeTiming();
    ids = 0;
    for (const auto& text : texts) ids += tokenizer.encode(text).size();
    benchmark::DoNotOptimize(ids);
  }
  report(state, texts, ids);
}
BENCHMARK(BM_TokenizerEncodeQwen3Cold)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
