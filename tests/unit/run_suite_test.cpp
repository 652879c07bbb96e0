// Suites: `dlmeval run --suite` evaluates exactly a suite's (task, protocol, shots) pairs, records
// the suite in the manifest, and `dlmeval paper` lays each pair under the paper column it names.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "harness/core/json_io.h"
#include "run_test_support.h"

namespace fs = std::filesystem;
using namespace dlmeval;

namespace {

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// "task protocol fingerprint docs" lines of a dry run.
std::vector<std::pair<std::string, std::string>> planned_pairs(const std::string& output) {
  std::vector<std::pair<std::string, std::string>> out;
  std::regex line(R"((\S+)\s+(\S+)\s+[0-9a-f]{16}\s+\d+ docs)");
  for (std::sregex_iterator it(output.begin(), output.end(), line), end; it != end; ++it)
    out.emplace_back((*it)[1].str(), (*it)[2].str());
  return out;
}

TEST(Suites, ShippedSuitesPlanExactlyTheirPairsOnTheRealData) {
  auto root = test::scratch_dir("suite_shipped");
  const std::string model = test::tiny_model_with_tokenizer(root);
  for (const std::string name : {"llada-base", "illada-base", "llada-instruct", "fast-dllm-gsm8k", "dream-base", "qwen25-base",
                                 "qwen25-report"}) {
    Json suite = read_json_file(std::string(DLMEVAL_SOURCE_DIR) + "/presets/suites/" + name + ".json");
    const std::string out = (root / ("out-" + name)).string();
    auto r = test::run_dlmeval("run --model " + model + " --suite " + name + " --dry-run --data-dir " +
                               test::data_dir() + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto pairs = planned_pairs(r.output);
    ASSERT_EQ(pairs.size(), suite["entries"].size()) << r.output;
    for (size_t i = 0; i < pairs.size(); ++i) {
      EXPECT_EQ(pairs[i].first, suite["entries"][i]["task"]) << i;
      EXPECT_EQ(pairs[i].second, suite["entries"][i]["protocol"]) << i;
    }
    EXPECT_FALSE(fs::exists(out)) << "a dry run writes nothing";
    // Every paper column a suite fills exists in the table it names.
    Json tables = read_json_file(std::string(DLMEVAL_SHARED_DIR) + "/reference/paper-tables.json")["tables"];
    const Json& table = tables.at(suite["paper_table"].get<std::string>());
    std::set<std::string> columns(table["columns"].begin(), table["columns"].end());
    for (const auto& e : suite["entries"]) {
      for (const auto& c : e.value("columns", Json::array())) EXPECT_TRUE(columns.count(c.get<std::string>())) << c;
      EXPECT_TRUE(table["rows"].contains(e.value("row", e["task"].get<std::string>()))) << e.dump();
    }
    for (const auto& [row, why] : suite["not_covered"].items()) EXPECT_TRUE(table["rows"].contains(row)) << row;
  }
  // The LLaDA base likelihood settings are eval_llada.py's: groups of 8, MMLU one row.
  auto listed = test::run_dlmeval("protocols --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find(R"("mc_num":128,"name":"llada-base-mc128-cfg0.5")"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find(R"("name":"llada-base")"), std::string::npos);
  fs::remove_all(root);
}

struct SuiteFixture {
  fs::path root;
  std::string model, suite, reference;
};

SuiteFixture make_suite_fixture(const std::string& name) {
  SuiteFixture f;
  f.root = test::scratch_dir(name);
  f.model = test::tiny_model_with_tokenizer(f.root);
  const auto [gen, mc] = test::write_tiny_protocols(f.root);
  Json suite = {{"name", "tiny-suite"},
                {"paper_table", "tiny-table"},
                {"entries", Json::array({{{"task", "gsm8k"}, {"protocol", gen}, {"num_fewshot", 1}, {"columns", Json::array({"gen"})}, {"row", "gsm8k_alt"}},
                                         {{"task", "arc_easy"}, {"protocol", mc}, {"columns", Json::array({"ppl_no_cfg"})}},
                                         {{"task", "piqa"}, {"protocol", "conf-single"}, {"columns", Json::array({"ppl_no_cfg", "ppl_cfg"})}}})}};
  f.suite = (f.root / "tiny-suite.json").string();
  std::ofstream(f.suite) << suite.dump(2);
  f.reference = (f.root / "tables.json").string();
  std::ofstream(f.reference) << R"({"tables": {"tiny-table": {"title": "Tiny", "columns": ["ppl_no_cfg", "ppl_cfg", "gen"],
    "rows": {"arc_easy": [50.0, null, null], "piqa": [60.0, 61.0, null], "gsm8k": [null, null, 10.0],
    "gsm8k_alt": [null, null, 20.0]}}}})";
  return f;
}

TEST(Suites, RunEvaluatesOnlyTheSuitePairsWithTheirShotsAndPaperUsesTheirColumns) {
  auto f = make_suite_fixture("suite_run");
  const std::string out = (f.root / "run").string();
  auto r = test::run_dlmeval("run --model " + f.model + " --suite " + f.suite + " --limit 3 --batch-size 2 --threads 1 --quiet" +
                             " --data-dir " + test::data_dir() + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Json manifest = read_json_file(out + "/manifest.json");
  // Not the cross product: arc_easy is not scored with conf-single, nor piqa with tiny-mc.
  ASSERT_EQ(manifest["evaluations"].size(), 3u) << manifest["evaluations"].dump();
  std::set<std::pair<std::string, std::string>> evaluations;
  for (const auto& e : manifest["evaluations"]) evaluations.insert({e["task"].get<std::string>(), e["protocol"].get<std::string>()});
  EXPECT_EQ(evaluations, (std::set<std::pair<std::string, std::string>>{
                             {"gsm8k", "tiny-gen"}, {"arc_easy", "tiny-mc"}, {"piqa", "conf-single"}}));
  EXPECT_EQ(manifest["suite"]["name"], "tiny-suite");
  EXPECT_EQ(manifest["suite"]["entries"][0]["num_fewshot"], 1);

  for (const auto& e : manifest["evaluations"]) {
    auto records = read_jsonl_file(out + "/" + e["samples_file"].get<std::string>());
    ASSERT_EQ(records.size(), 3u);
    for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i]["doc_index"], i) << e.dump();
    // The suite's one shot, not gsm8k's default five: one exemplar plus the question.
    if (e["task"] == "gsm8k") {
      for (const auto& rec : records)
        EXPECT_EQ(count_of(rec["arguments"]["contexts"][0].get<std::string>(), "Question: "), 2u);
    }
  }

  auto paper = test::run_dlmeval("paper --table tiny-table --reference " + f.reference + " " + out);
  ASSERT_EQ(paper.exit_code, 0) << paper.output;
  for (const char* column : {"run/ppl_no_cfg (measured)", "run/ppl_cfg (measured)", "run/gen (measured)"})
    EXPECT_NE(paper.output.find(column), std::string::npos) << column << "\n" << paper.output;
  EXPECT_EQ(paper.output.find("run/tiny-mc"), std::string::npos) << paper.output;
  // piqa fills both likelihood columns with one measurement; arc_easy only the first.
  double piqa_acc = 0;
  auto piqa = read_jsonl_file(out + "/" + manifest["evaluations"][2]["samples_file"].get<std::string>());
  for (const auto& rec : piqa) piqa_acc += rec["metrics"]["acc"].get<double>() * 100.0 / 3.0;
  std::smatch m;
  const std::string piqa_line = paper.output.substr(paper.output.find("| piqa |"));
  std::regex cells(R"(\| piqa \| piqa \| 60.0 \| 61.0 \| — \| ([0-9.]+)( ± [0-9.]+)? \| ([0-9.]+)( ± [0-9.]+)? \| — \|)");
  ASSERT_TRUE(std::regex_search(piqa_line, m, cells)) << paper.output;
  EXPECT_NEAR(std::stod(m[1].str()), piqa_acc, 0.05);
  EXPECT_EQ(m[1].str(), m[3].str());
  std::regex arc(R"(\| arc_easy \| arc_easy \| 50.0 \| — \| — \| [0-9.]+( ± [0-9.]+)? \| — \| — \|)");
  EXPECT_TRUE(std::regex_search(paper.output, arc)) << paper.output;
  // The gsm8k pair names its row: it fills gsm8k_alt, not the row named like its task.
  EXPECT_NE(paper.output.find("| gsm8k | gsm8k / gsm8k_cot | — | — | 10.0 | — | — | — |"), std::string::npos) << paper.output;
  std::regex alt(R"(\| gsm8k_alt \| gsm8k \| — \| — \| 20.0 \| — \| — \| [0-9.]+( ± [0-9.]+)? \|)");
  EXPECT_TRUE(std::regex_search(paper.output, alt)) << paper.output;

  // --tasks narrows a suite to some of its tasks; a task it lacks is an error.
  const std::string part = (f.root / "part").string();
  auto narrowed = test::run_dlmeval("run --model " + f.model + " --suite " + f.suite + " --tasks piqa --dry-run --limit 3" +
                                    " --data-dir " + test::data_dir() + " --out " + part);
  ASSERT_EQ(narrowed.exit_code, 0) << narrowed.output;
  EXPECT_EQ(planned_pairs(narrowed.output), (std::vector<std::pair<std::string, std::string>>{{"piqa", "conf-single"}}));
  fs::remove_all(f.root);
}

TEST(Suites, MalformedSuitesAreClearErrorsBeforeAnyModelWork) {
  auto f = make_suite_fixture("suite_bad");
  const std::string out = (f.root / "out").string();
  Json good = read_json_file(f.suite);
  auto variant = [&](const std::string& name, const std::function<void(Json&)>& change) {
    Json j = good;
    change(j);
    const std::string path = (f.root / (name + ".json")).string();
    std::ofstream(path) << j.dump();
    return path;
  };
  struct Case {
    std::string args, expected;
  };
  const std::string base = "run --model " + f.model + " --data-dir " + test::data_dir() + " --out " + out + " ";
  const std::vector<Case> cases = {
      {base + "--suite no-such-suite", "unknown suite 'no-such-suite'"},
      {base + "--suite " + variant("typo", [](Json& j) { j["entrys"] = j["entries"]; }), "unknown field 'entrys'"},
      {base + "--suite " + variant("twice", [](Json& j) { j["entries"].push_back(j["entries"][1]); }), "listed twice"},
      {base + "--suite " + variant("shots", [](Json& j) {
         Json e = j["entries"][1];
         e["protocol"] = "conf-single";
         e["num_fewshot"] = 2;
         j["entries"].push_back(e);
       }),
       "different num_fewshot"},
      {base + "--suite " + variant("kind", [](Json& j) {
         j["entries"][0]["task"] = "arc_easy";
         j["entries"][0].erase("num_fewshot");
       }), "needs a choice protocol"},
      {base + "--suite " + variant("task", [](Json& j) { j["entries"][0]["task"] = "no_such_task"; }), "no_such_task"},
      {base + "--suite " + f.suite + " --protocol conf-single", "do not also give --protocol"},
      {base + "--suite " + f.suite + " --tasks mmlu", "has no task 'mmlu'"},
  };
  for (const auto& c : cases) {
    auto r = test::run_dlmeval(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.expected), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_FALSE(fs::exists(out + "/manifest.json")) << c.args;
  }
  fs::remove_all(f.root);
}

}  // namespace

namespace {

// A protocol with "chat": true runs the prompt through the checkpoint's chat template; the field
// is fingerprinted but never reaches the sampler.
TEST(ChatProtocols, RunAppliesTheChatTemplateAndKeepsTheFieldFromTheSampler) {
  auto root = test::scratch_dir("chat_run");
  const std::string model = test::tiny_model_with_tokenizer(root);
  Json base = {{"sampler", "llada"}, {"gen_length", 4}, {"steps", 2}, {"block_length", 4}};
  const auto plain = test::write_protocol(root, "tiny-plain", base);
  base["chat"] = true;
  const auto chat = test::write_protocol(root, "tiny-chat", base);
  const std::string out = (root / "run").string();
  auto r = test::run_dlmeval("run --model " + model + " --tasks hellaswag_gen --protocol " + plain + " --protocol " + chat +
                             " --limit 2 --threads 1 --quiet --data-dir " + test::data_dir() + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto plain_rows = read_jsonl_file(out + "/samples-hellaswag_gen-tiny-plain.jsonl");
  auto chat_rows = read_jsonl_file(out + "/samples-hellaswag_gen-tiny-chat.jsonl");
  ASSERT_EQ(plain_rows.size(), 2u);
  ASSERT_EQ(chat_rows.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(plain_rows[i]["arguments"], chat_rows[i]["arguments"]);
    // The template's role markers add tokens around the same question.
    EXPECT_GT(chat_rows[i]["prompt_tokens"].get<int64_t>(), plain_rows[i]["prompt_tokens"].get<int64_t>());
  }
  Json manifest = read_json_file(out + "/manifest.json");
  EXPECT_NE(manifest["protocols"][0]["fingerprint"], manifest["protocols"][1]["fingerprint"]);
  fs::remove_all(root);
}

}  // namespace
