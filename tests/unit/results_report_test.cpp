#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>

#include "results/aggregate.h"
#include "results/report.h"
#include "results_fixture.h"

using namespace dlmeval;
using namespace dlmeval::testing;

namespace {

// gsm8k under two protocols, 6 docs each: p64 gets 4 right, p32 gets 3 right. Doc 0's prompt
// tries to break out of the embedded JSON.
void write_report_run(const std::string& dir) {
  RunManifest m = make_manifest();
  m.tasks = {make_task("gsm8k", 6)};
  m.protocols = {make_protocol("p64", 64), make_protocol("p32", 32)};
  auto slow = binary_samples({1, 1, 1, 1, 0, 0});
  auto fast = binary_samples({1, 0, 1, 0, 1, 0});
  slow[0] = make_sample("0", {{"exact_match", 1.0}}, "Evil </script><b id=\"injected\">bold</b> & done");
  for (auto& r : fast) r["forward_passes"] = 32;
  write_run(dir, m, {{{"gsm8k", "p64"}, slow}, {{"gsm8k", "p32"}, fast}});
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string chromium_binary() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (std::filesystem::exists(candidate)) return candidate;
  return "";
}

// The DOM after the page's scripts ran.
std::string rendered_dom(const std::string& chromium, const std::string& html_path, const std::string& hash,
                         const TempDir& dir) {
  std::string dom_path = dir.path("dom" + std::to_string(std::random_device{}()) + ".html");
  std::string command = "timeout 90 " + chromium +
                        " --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
                        " --disable-sync --no-first-run --user-data-dir=" +
                        dir.path("profile") + " --dump-dom 'file://" + html_path + hash + "' > " + dom_path +
                        " 2>/dev/null";
  int rc = std::system(command.c_str());
  EXPECT_EQ(rc, 0) << command;
  return read_file_bytes(dom_path);
}

}  // namespace

TEST(Report, SelfContainedWithSummaryChartAndManifest) {
  TempDir dir("report_static");
  write_report_run(dir.path("run"));
  std::string html = render_html_report({load_run(dir.path("run"))});
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // the SVG namespace is the only URL
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(count(html, "<tr class=\"summary-row\">"), 2u);
  EXPECT_NE(html.find("<td class=\"num\">0.6667</td>"), std::string::npos);  // p64: 4 of 6
  EXPECT_EQ(count(html, "<circle class=\"point\""), 2u);  // one point per protocol
  EXPECT_NE(html.find("model-hash-1"), std::string::npos);  // the manifest
  // Collapse diagnostics: one row per generation evaluation, each answer 32 of 64 tokens (bin 6 of 10).
  EXPECT_EQ(count(html, "<tr class=\"collapse-row\">"), 2u);
  EXPECT_EQ(count(html, "<svg class=\"length-histogram\""), 2u);
  EXPECT_NE(html.find("<title>6 answers</title>"), std::string::npos);
  EXPECT_EQ(html.find("</script><b"), std::string::npos);   // sample text cannot close the data block
}

// (cx, cy) of each protocol's point, read from the point and its tooltip ("<run>/<protocol> ...").
std::map<std::string, std::pair<double, double>> chart_points(const std::string& svg) {
  std::regex point(R"re(<circle class="point" cx="([0-9.]+)" cy="([0-9.]+)" r="5" fill="[^"]+"><title>[^/]+/(\S+) )re");
  std::map<std::string, std::pair<double, double>> xy;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), point); it != std::sregex_iterator(); ++it)
    xy[(*it)[3]] = {std::stod((*it)[1]), std::stod((*it)[2])};
  return xy;
}

TEST(Report, CostChartPlacesPointsByTheChosenUnitWithStandardErrorBars) {
  TempDir dir("report_chart");
  RunManifest m = make_manifest();
  m.tasks = {make_task("gsm8k", 6)};
  m.protocols = {make_protocol("p64", 64), make_protocol("p32", 32)};
  auto slow = binary_samples({1, 1, 1, 1, 0, 0});
  auto fast = binary_samples({1, 0, 1, 0, 1, 0});
  // p32 takes half the FLOPs of p64 but, on this made-up machine, three times the seconds.
  for (auto& r : slow) r["cost"] = {{"flops", 6.4e9}}, r["seconds"] = 0.1;
  for (auto& r : fast) r["cost"] = {{"flops", 3.2e9}}, r["seconds"] = 0.3;
  write_run(dir.path("run"), m, {{{"gsm8k", "p64"}, slow}, {{"gsm8k", "p32"}, fast}});
  const LoadedRun run = load_run(dir.path("run"));

  const std::string by_flops = render_cost_chart_svg({run}, CostUnit::Flops);
  auto xy = chart_points(by_flops);
  ASSERT_EQ(xy.size(), 2u) << by_flops;
  EXPECT_GT(xy["p64"].first, xy["p32"].first);    // p64 (6.4 GFLOPs) right of p32 (3.2)
  EXPECT_LT(xy["p64"].second, xy["p32"].second);  // and, scoring 4/6 against 3/6, higher (SVG y grows downwards)
  EXPECT_NE(by_flops.find("estimated FLOPs per doc"), std::string::npos);

  auto by_seconds = chart_points(render_cost_chart_svg({run}, CostUnit::Seconds));
  ASSERT_EQ(by_seconds.size(), 2u);
  EXPECT_LT(by_seconds["p64"].first, by_seconds["p32"].first);  // in seconds p64 is the cheaper one

  // Each bar spans ± the bootstrap standard error of the summary, on the 0-100 % axis of 310 px.
  const RunSummary summary = summarize_run(run);
  std::regex bar(R"re(<g class="error-bar" stroke="[^"]+"><line x1="[0-9.]+" x2="[0-9.]+" y1="([0-9.]+)" y2="([0-9.]+)")re");
  std::vector<double> extents;
  for (auto it = std::sregex_iterator(by_flops.begin(), by_flops.end(), bar); it != std::sregex_iterator(); ++it)
    extents.push_back(std::stod((*it)[1]) - std::stod((*it)[2]));
  ASSERT_EQ(extents.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const double se = summary.evaluations[i].metrics.front().stderr_value;
    ASSERT_GT(se, 0.1);
    EXPECT_NEAR(extents[i], 2 * se * 310, 0.2) << summary.evaluations[i].protocol;
  }
}

TEST(Report, ChromiumRendersTheSampleBrowser) {
  std::string chromium = chromium_binary();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  TempDir dir("report_chromium");
  write_report_run(dir.path("run"));
  std::string out;
  ASSERT_EQ(run_dlmeval("report " + dir.path("run") + " --html " + dir.path("report.html"), &out), 0) << out;

  std::string dom = rendered_dom(chromium, dir.path("report.html"), "", dir);
  EXPECT_EQ(count(dom, "<tr class=\"sample-row "), 12u) << dom.substr(0, 2000);
  EXPECT_EQ(count(dom, "<tr class=\"sample-row correct\""), 7u);
  EXPECT_EQ(count(dom, "<tr class=\"sample-row wrong\""), 5u);
  EXPECT_NE(dom.find("12 of 12 samples"), std::string::npos);
  EXPECT_NE(dom.find("<option value=\"p32\">p32</option>"), std::string::npos);  // filters built from the data
  // The hostile prompt is shown as text, not parsed as markup.
  EXPECT_EQ(dom.find("<b id=\"injected\">"), std::string::npos);
  EXPECT_NE(dom.find("Evil &lt;/script&gt;&lt;b id=\"injected\"&gt;bold&lt;/b&gt; &amp; done"), std::string::npos);

  std::string wrong_fast = rendered_dom(chromium, dir.path("report.html"), "#protocol=p32&verdict=wrong", dir);
  EXPECT_EQ(count(wrong_fast, "<tr class=\"sample-row "), 3u);
  EXPECT_EQ(count(wrong_fast, "data-protocol=\"p32\" data-verdict=\"wrong\""), 3u);
  EXPECT_NE(wrong_fast.find("3 of 12 samples"), std::string::npos);
}
