#include <gtest/gtest.h>

#include <fmt/format.h>

#include "harness/core/error.h"
#include "results/paper.h"
#include "results_fixture.h"

using namespace dlmeval;
using namespace dlmeval::testing;

namespace {

const std::string kTables = std::string(DLMEVAL_SHARED_DIR) + "/reference/paper-tables.json";

// A run with mmlu at 2/4 = 50.0 and gsm8k at 3/4 = 75.0.
void write_measured_run(const std::string& dir) {
  RunManifest m = make_manifest();
  m.tasks = {make_task("mmlu", 4, {"acc"}), make_task("gsm8k", 4)};
  m.protocols = {make_protocol("p", 64)};
  write_run(dir, m, {{{"mmlu", "p"}, binary_samples({1, 1, 0, 0}, "acc")}, {{"gsm8k", "p"}, binary_samples({1, 1, 1, 0})}});
}

std::string cell(const nlohmann::ordered_json& v) { return v.is_null() ? "—" : v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

TEST(Paper, MarkdownLaysReportedBesideMeasured) {
  TempDir dir("paper_md");
  write_measured_run(dir.path("run"));
  PaperTable table = load_paper_table(kTables, "illada-base");
  std::string md = render_paper_table(table, measured_columns({load_run(dir.path("run"))}, {}), {}, PaperFormat::Markdown);

  // Every reported number of the file appears in its row, in the paper's row order.
  auto file = nlohmann::ordered_json::parse(read_file_bytes(kTables))["tables"]["illada-base"];
  size_t last = 0;
  for (const auto& [row, cells] : file["rows"].items()) {
    std::string reported;
    for (const auto& v : cells) reported += fmt::format(" {} |", cell(v));
    size_t at = md.find(fmt::format("| {} | ", row));
    ASSERT_NE(at, std::string::npos) << row << "\n" << md;
    EXPECT_GT(at, last) << row;
    last = at;
    std::string line = md.substr(at, md.find('\n', at) - at);
    EXPECT_NE(line.find(reported), std::string::npos) << line;
  }
  EXPECT_NE(md.find("| mmlu | mmlu | 74.8 | 65.9 | 69.5 | 71.9 | 50.0 ± "), std::string::npos) << md;
  EXPECT_NE(md.find("| gsm8k | gsm8k / gsm8k_cot | 81.9 | 70.3 | 77.2 | 78.9 | 75.0 ± "), std::string::npos) << md;
  EXPECT_NE(md.find("| bbh | bbh | 71.3 | 49.7 | 57.9 | 63.9 | — |"), std::string::npos) << md;
  EXPECT_NE(md.find("| average | (mean of measured rows) | 63.9 | 51.1 | 61.4 | 63.3 | 62.5 (2/8) |"), std::string::npos) << md;
  EXPECT_NE(md.find("run/p (measured)"), std::string::npos);
}

TEST(Paper, LatexEscapesAndMarksMissing) {
  TempDir dir("paper_tex");
  write_measured_run(dir.path("run"));
  PaperTable table = load_paper_table(kTables, "llada-base-lmeval");
  PaperOptions options;
  options.row_to_task["cmmlu"] = "mmlu";  // an explicit mapping wins over the default
  std::string tex = render_paper_table(table, measured_columns({load_run(dir.path("run"))}, options), options, PaperFormat::Latex);
  EXPECT_NE(tex.find("\\begin{tabular}{llrrrrr|r}"), std::string::npos) << tex;
  EXPECT_NE(tex.find("truthfulqa\\_mc2 & truthfulqa\\_mc2 & 46.1 & 46.4 & --- & --- & --- & ---"), std::string::npos) << tex;
  EXPECT_NE(tex.find("mmlu & mmlu & 65.9 & --- & --- & --- & --- & $50.0_{\\pm "), std::string::npos) << tex;
  EXPECT_NE(tex.find("cmmlu & mmlu & 69.9 & --- & --- & --- & --- & $50.0_{\\pm "), std::string::npos) << tex;
  EXPECT_NE(tex.find("ppl\\_no\\_cfg"), std::string::npos);
  EXPECT_NE(tex.find("\\end{table}"), std::string::npos);
}

TEST(Paper, UnknownTableListsTheKnownOnes) {
  try {
    load_paper_table(kTables, "nope");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("illada-base, llada-base-lmeval, llada-instruct, fast-dllm-gsm8k"), std::string::npos)
        << e.what();
  }
}

TEST(Paper, TaskMappingCoversTheHarnessTasks) {
  for (const char* task : {"gsm8k", "bbh", "humaneval", "mbpp", "mmlu", "arc_easy", "arc_challenge", "hellaswag", "piqa",
                           "winogrande", "truthfulqa_mc1", "truthfulqa_mc2"}) {
    EXPECT_EQ(tasks_for_paper_row(task, {}).front(), task);
  }
  EXPECT_EQ(tasks_for_paper_row("gsm8k_semi_ar", {}), (std::vector<std::string>{"gsm8k", "gsm8k_cot"}));
  EXPECT_EQ(tasks_for_paper_row("math", {{"math", "minerva_math"}}), std::vector<std::string>{"minerva_math"});
}

TEST(PaperCli, RendersBothFormats) {
  TempDir dir("paper_cli");
  write_measured_run(dir.path("run"));
  std::string out;
  ASSERT_EQ(run_dlmeval("paper --reference " + kTables + " --table illada-base " + dir.path("run"), &out), 0) << out;
  EXPECT_NE(out.find("| mmlu | mmlu | 74.8 | 65.9 | 69.5 | 71.9 | 50.0 ± "), std::string::npos) << out;
  ASSERT_EQ(run_dlmeval("paper --reference " + kTables + " --table fast-dllm-gsm8k --format latex --out " + dir.path("t.tex") +
                            " " + dir.path("run"),
                        &out),
            0)
      << out;
  std::string tex = read_file_bytes(dir.path("t.tex"));
  EXPECT_NE(tex.find("llada\\_baseline & gsm8k & 79.3 & 6.73 & $75.0_{\\pm "), std::string::npos) << tex;
}
