// `dlmeval run` on the tiny Qwen2 checkpoint, a generation task and a choice task of the
// qwen25-base suite, end to end through the built binary: every sample's response equals what
// Hugging Face transformers answers on the same prompts (tests/golden/ar/qwen2-tiny/expected/run.json,
// made by tests/golden/ar/make_run_expected.py: greedy generate() with the stop strings, lm-eval's
// loglikelihood and is_greedy) and what the runner gives for the recorded request, and the
// prediction is the choice with the highest log-likelihood.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cmath>
#include <fstream>
#include <map>

#include "ar_test_util.h"
#include "harness/core/hash.h"
#include "harness/core/json_io.h"
#include "runners/choice/choice_scoring.h"
#include "runners/model.h"
#include "runners/samplers/generation.h"
#include "runners/samplers/generation_protocol.h"
#include "runners/tokenizer/encode_pair.h"
#include "runners/tokenizer/tokenizer.h"

using namespace dlmeval;
namespace fs = std::filesystem;

namespace {

int run_dlmeval(const std::string& args, std::string& output) {
  FILE* pipe = popen((std::string(DLMEVAL_BINARY) + " " + args + " 2>&1").c_str(), "r");
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<Json> read_lines(const fs::path& path) {
  std::vector<Json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(Json::parse(line));
  return out;
}

// transformers' answers on the run's prompts, by task and doc id.
std::map<std::string, Json> transformers_answers() {
  const Json expected = read_json_file(test::ar_golden("qwen2-tiny") + "/expected/run.json");
  std::map<std::string, Json> by_doc;
  for (const auto& e : expected["samples"]) by_doc[e["task"].get<std::string>() + "/" + e["doc_id"].get<std::string>()] = e;
  return by_doc;
}

// The expected answers were made on these prompts; anything else means run.json must be made again.
const Json& expected_for(const std::map<std::string, Json>& answers, const Json& sample) {
  static const Json none;
  auto found = answers.find(sample["task"].get<std::string>() + "/" + sample["doc_id"].get<std::string>());
  if (found == answers.end()) {
    ADD_FAILURE() << "no transformers answer for " << sample["task"] << " " << sample["doc_id"]
                  << ": make tests/golden/ar/qwen2-tiny/expected/run.json again (make_run_expected.py)";
    return none;
  }
  const Json& a = sample["arguments"];
  EXPECT_EQ(sha256_hex(Json::array({a["contexts"], a["continuations"]}).dump()), found->second["prompt_sha256"])
      << sample["doc_id"] << ": the prompt changed; make run.json again (make_run_expected.py)";
  return found->second;
}

}  // namespace

TEST(AutoregressiveRun, QwenSuiteSamplesEqualTransformersAndTheRunner) {
  const std::string model_dir = test::ar_checkpoint_with_tokenizer("qwen2-tiny");
  const fs::path out = fs::temp_directory_path() / ("dlmeval_ar_run_" + std::to_string(::getpid()));
  fs::remove_all(out);
  std::string log;
  // The 5-shot GSM8K prompt exceeds the tiny model's declared 512 positions; RoPE runs past it.
  const int code = run_dlmeval("run --model " + model_dir + " --suite qwen25-base --tasks gsm8k,arc_challenge --limit 3" +
                                   " --threads 1 --quiet --max-sequence-length 2048 --data-dir " +
                                   std::string(DLMEVAL_SHARED_DIR) + "/data --out " + out.string(),
                               log);
  ASSERT_EQ(code, 0) << log;

  RuntimeOptions options;
  options.threads = 1;
  options.max_sequence_length = 2048;
  auto model = load_model(model_dir, options);
  const Encoder encode = [&](const std::string& text) { return model->tokenizer->encode(text, false); };

  const auto answers = transformers_answers();
  const auto choice = read_lines(out / "samples-arc_challenge-ar-loglik.jsonl");
  ASSERT_EQ(choice.size(), 3u);
  for (const auto& s : choice) {
    const Json& a = s["arguments"];
    const Json& hf = expected_for(answers, s);
    ASSERT_TRUE(hf.contains("loglik"));
    ASSERT_EQ(s["resps"].size(), hf["loglik"].size());
    ASSERT_EQ(s["is_greedy"].size(), hf["is_greedy"].size());
    for (size_t k = 0; k < hf["loglik"].size(); ++k) {
      const double want = hf["loglik"][k].get<double>();
      EXPECT_NEAR(s["resps"][k].get<double>(), want, 1e-4 * std::abs(want)) << s["doc_id"] << " choice " << k;
      EXPECT_EQ(s["is_greedy"][k].get<bool>(), hf["is_greedy"][k].get<bool>()) << s["doc_id"] << " choice " << k;
    }
    ChoiceRequest request;
    request.protocol = Json{{"estimator", "ar_loglik"}};
    for (const auto& c : a["continuations"]) {
      auto [ctx, cont] = encode_pair(encode, a["contexts"][0].get<std::string>(), c.get<std::string>());
      if (request.contexts.empty()) request.contexts.push_back(ctx);
      request.continuations.push_back(cont);
    }
    const ChoiceResult r = score_choice_requests(*model, {request}).at(0);
    ASSERT_EQ(s["resps"].size(), r.loglik.size());
    size_t best = 0;
    for (size_t k = 0; k < r.loglik.size(); ++k) {
      EXPECT_NEAR(s["resps"][k].get<double>(), r.loglik[k], 1e-9);
      if (r.loglik[k] > r.loglik[best]) best = k;
    }
    EXPECT_EQ(static_cast<size_t>(s["filtered_resps"]["prediction"].get<double>()), best);
  }

  const auto generation = read_lines(out / "samples-gsm8k-ar-greedy.jsonl");
  ASSERT_EQ(generation.size(), 3u);
  const Json preset = read_json_file(std::string(DLMEVAL_SOURCE_DIR) + "/presets/protocols/generation/ar-greedy.json");
  for (const auto& s : generation) {
    const Json& a = s["arguments"];
    EXPECT_FALSE(a["until"].empty());  // lm-eval's GSM8K stops at "Question:" and blank lines
    const Json& hf = expected_for(answers, s);
    ASSERT_TRUE(hf.contains("text"));
    EXPECT_EQ(s["resps"][0].get<std::string>(), hf["text"].get<std::string>()) << s["doc_id"];
    GenerationRequest request{encode(a["contexts"][0].get<std::string>()), preset, 0,
                              a["until"].get<std::vector<std::string>>()};
    const GenerationResult r = generate_requests(*model, {request}).at(0);
    EXPECT_EQ(s["resps"][0].get<std::string>(), r.text);
    EXPECT_EQ(s["generated_tokens"].get<int64_t>(), r.generated_tokens);
  }
  fs::remove_all(out);
}

TEST(AutoregressiveRun, PaperLaysFourMeasuredColumnsBesideTheReportedOnes) {
  const fs::path root = fs::temp_directory_path() / ("dlmeval_ar_paper_" + std::to_string(::getpid()));
  fs::remove_all(root);
  const std::string llada = test::with_tiny_tokenizer(test::checkpoint("llada-tiny"), "llada-tiny");
  const std::string dream = test::with_tiny_tokenizer(test::checkpoint("dream-tiny"), "dream-tiny");
  const std::string qwen = test::ar_checkpoint_with_tokenizer("qwen2-tiny");
  struct Column {
    std::string run, model, suite;
  };
  const std::vector<Column> columns = {{"illada", llada, "illada-base"}, {"llada", llada, "illada-base"},
                                       {"dream", dream, "dream-base"}, {"qwen", qwen, "qwen25-base"}};
  std::string runs;
  for (const auto& c : columns) {
    std::string log;
    const std::string out = (root / c.run).string();
    // One ARC-Challenge question each, with the choice protocols cut to a few rows.
    ASSERT_EQ(run_dlmeval("run --model " + c.model + " --suite " + c.suite + " --tasks arc_challenge --limit 2 --threads 1" +
                              " --quiet --data-dir " + std::string(DLMEVAL_SHARED_DIR) + "/data --out " + out,
                          log),
              0)
        << log;
    runs += " " + out;
  }
  std::string table;
  ASSERT_EQ(run_dlmeval("paper --table illada-base" + runs, table), 0) << table;
  // Every run's columns appear (the qwen and dream runs under their named columns) and the
  // arc_challenge row has a measured cell in each, with its standard error.
  for (const char* header : {"illada/illada-base (measured)", "illada/illada-base (conf-single)",
                             "llada/illada-base (conf-greedy)", "dream/Dream-7B", "qwen/Qwen2.5-7B"})
    EXPECT_NE(table.find(header), std::string::npos) << header << "\n" << table;
  const size_t row = table.find("| arc_challenge |");
  ASSERT_NE(row, std::string::npos);
  const std::string line = table.substr(row, table.find('\n', row) - row);
  // benchmark, task, four reported cells, then the measured ones: ELBO and the two confidence
  // scorers for each of the two diffusion runs, one for Dream, one for Qwen.
  std::vector<std::string> cells;
  for (size_t at = 1, next; (next = line.find('|', at)) != std::string::npos; at = next + 1)
    cells.push_back(line.substr(at, next - at));
  ASSERT_EQ(cells.size(), 6u + 8u) << table;
  for (size_t i = 6; i < cells.size(); ++i) EXPECT_EQ(cells[i].find("—"), std::string::npos) << i << "\n" << table;
  EXPECT_NE(line.find(" ± "), std::string::npos);
  EXPECT_NE(table.find("| mmlu |"), std::string::npos);  // rows the runs cannot fill are still listed
  fs::remove_all(root);
}
