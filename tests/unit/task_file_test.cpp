// Tasks as data: task files (tasks/task_definition.h, tasks/template_task.h), the lm-eval filters
// and exact_match they name (scorers/lm_eval_filters.h), Python regex and literal semantics.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "harness/core/error.h"
#include "harness/core/hash.h"
#include "scorers/lm_eval_filters.h"
#include "scorers/python_regex.h"
#include "tasks/python_literal.h"
#include "tasks/task_definition.h"
#include "tasks/template_task.h"
#include "task_test_util.h"
#include "user_error_text.h"

namespace dlmeval {
namespace {

namespace fs = std::filesystem;

// The expression must throw a UserError whose message holds `text`.
#define EXPECT_USER_ERROR_CONTAINS(expr, text)                                       \
  do {                                                                               \
    const std::string message = test::user_error_text([&] { (void)(expr); });       \
    EXPECT_NE(message.find(text), std::string::npos) << "message: \"" << message << "\""; \
  } while (0)

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// ------------------------------------------------------------ YAML as lm-eval reads it

TEST(TaskFileYaml, ScalarsResolveAsPyYamlResolvesThem) {
  const Json j = yaml_to_json(R"yaml(
int: 5
negative: -3
float: 1.0
exp: 1.5e+3
quoted_int: "5"
single_quoted: '1.0'
yes_word: yes
off_word: Off
true_word: true
null_word: ~
empty:
text: Question here
escaped: "a\nb"
literal_block: |
  line one
  line two
list: ["\n\n", "Question:", '</s>']
)yaml",
                              "test.yaml");
  EXPECT_EQ(j["int"], 5);
  EXPECT_EQ(j["negative"], -3);
  EXPECT_TRUE(j["float"].is_number_float());
  EXPECT_DOUBLE_EQ(j["float"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["exp"].get<double>(), 1500.0);
  EXPECT_EQ(j["quoted_int"], "5");
  EXPECT_EQ(j["single_quoted"], "1.0");
  EXPECT_EQ(j["yes_word"], true);
  EXPECT_EQ(j["off_word"], false);
  EXPECT_EQ(j["true_word"], true);
  EXPECT_TRUE(j["null_word"].is_null());
  EXPECT_TRUE(j["empty"].is_null());
  EXPECT_EQ(j["text"], "Question here");
  EXPECT_EQ(j["escaped"], "a\nb");
  EXPECT_EQ(j["literal_block"], "line one\nline two\n");
  EXPECT_EQ(j["list"], Json::array({"\n\n", "Question:", "</s>"}));
}

TEST(TaskFileYaml, PythonCodeUnknownKeysAndBadFilesAreRefused) {
  const std::string base = "task: t\noutput_type: generate_until\ndataset_files: {test: x.jsonl}\ntest_split: test\n"
                           "doc_to_text: q\ndoc_to_target: a\n";
  EXPECT_NO_THROW(parse_task_definition(base, "ok.yaml", ""));
  EXPECT_USER_ERROR_CONTAINS(parse_task_definition(base + "process_docs: !function utils.process_docs\n", "f.yaml", ""),
                             "!function");
  EXPECT_USER_ERROR_CONTAINS(parse_task_definition(base + "doc_to_txt: q\n", "typo.yaml", ""), "unknown key \"doc_to_txt\"");
  EXPECT_USER_ERROR_CONTAINS(parse_task_definition("task: t\noutput_type: generate_until\n", "short.yaml", ""), "needs");
  EXPECT_USER_ERROR_CONTAINS(parse_task_definition("task: [unclosed\n", "bad.yaml", ""), "malformed YAML");
  EXPECT_USER_ERROR_CONTAINS(parse_task_definition(base + "task: t2\n", "twice.yaml", ""), "twice");
  EXPECT_USER_ERROR_CONTAINS(parse_task_definition("{\"task\": 1}", "bad.json", ""), "task");
  // Found by fuzz_task_file: bytes that are not UTF-8 once escaped the JSON conversion.
  EXPECT_USER_ERROR_CONTAINS(parse_task_definition(base + "description: \"\xffH\"\n", "latin1.yaml", ""), "UTF-8");
}

TEST(TaskFileYaml, IncludeMergesTheBaseAndRefusesCycles) {
  test::ScratchDir dir("task-include");
  write(dir.path() / "_base.yaml",
        "output_type: generate_until\ndataset_files: {test: x.jsonl}\ntest_split: test\ndoc_to_text: base\n"
        "doc_to_target: a\n");
  write(dir.path() / "child.yaml", "include: _base.yaml\ntask: child\ndoc_to_text: mine\n");
  const TaskDefinition d = load_task_definition((dir.path() / "child.yaml").string());
  EXPECT_EQ(d.name, "child");
  EXPECT_EQ(d.config["doc_to_text"], "mine");
  EXPECT_EQ(d.config["test_split"], "test");
  EXPECT_FALSE(d.config.contains("include"));
  write(dir.path() / "a.yaml", "include: b.yaml\ntask: a\n");
  write(dir.path() / "b.yaml", "include: a.yaml\n");
  EXPECT_USER_ERROR_CONTAINS(load_task_definition((dir.path() / "a.yaml").string()), "include cycle");
  // A folder: _base.yaml is a shared base, not a task; a.yaml's cycle is reported.
  EXPECT_USER_ERROR_CONTAINS(load_task_definitions({dir.path().string()}), "include cycle");
}

// ------------------------------------------------------------ Python semantics

TEST(PythonLiteral, ReadsWhatJinjaRendersForLists) {
  EXPECT_EQ(parse_python_literal("['a', \"it's\", 'say \"hi\"', '\\n\\t', '\\x0b\\u200b\\U0001f600', 'é']", "t"),
            Json::array({"a", "it's", "say \"hi\"", "\n\t", "\x0b\u200b\U0001F600", "é"}));
  EXPECT_EQ(parse_python_literal("(1, -2, 3.5, True, None)", "t"), Json::array({1, -2, 3.5, true, nullptr}));
  EXPECT_EQ(parse_python_literal("{'k': [1, 2]}", "t"), (Json{{"k", {1, 2}}}));
  EXPECT_EQ(parse_python_literal("'ab' 'cd'", "t"), "abcd");
  EXPECT_USER_ERROR_CONTAINS(parse_python_literal("[os.system('x')]", "t"), "not a Python literal");
  EXPECT_USER_ERROR_CONTAINS(parse_python_literal("['a'", "t"), "not a Python literal");
}

TEST(PythonRegexTest, FindAllHasPythonsShape) {
  // No group: whole matches; one group: that group; two: a tuple with non-participating groups.
  auto plain = PythonRegex("[0-9]+", "t").find_all("a1 b22 c333");
  ASSERT_EQ(plain.size(), 3u);
  EXPECT_EQ(*plain[2][0], "333");
  auto one = PythonRegex("#### (\\-?[0-9\\.\\,]+)", "t").find_all("x #### 1,234. y #### -5");
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(*one[0][0], "1,234.");
  EXPECT_EQ(*one[1][0], "-5");
  auto two = PythonRegex("(-?[$0-9.,]{2,})|(-?[0-9]+)", "t").find_all("so 7 apples cost $12.50");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_FALSE(two[0][0].has_value());
  EXPECT_EQ(*two[0][1], "7");
  EXPECT_EQ(*two[1][0], "$12.50");
  // \d is Unicode-aware as in Python 3; \Z is the very end.
  EXPECT_EQ(PythonRegex("\\d+", "t").find_all("٣٤").size(), 1u);
  EXPECT_EQ(PythonRegex("a\\Z", "t").find_all("a\n").size(), 0u);
  EXPECT_USER_ERROR_CONTAINS(PythonRegex("(", "where"), "where: regex pattern does not compile");
}

TEST(PythonRegexTest, SubstituteFollowsReSub) {
  // Python 3.7+: re.sub('x*', '-', 'abxd') == '-a-b--d-'
  EXPECT_EQ(PythonRegex("x*", "t").substitute("abxd", "-"), "-a-b--d-");
  EXPECT_EQ(PythonRegex("(\\w+)@(?P<host>\\w+)", "t").substitute("me@home you@work", "\\2:\\g<host>:\\g<1>"),
            "home:home:me work:work:you");
  EXPECT_EQ(PythonRegex(",", "t").substitute("1,234,567", "", 1), "1234,567");
  // Python's octal escapes (re.sub("b", r"<\0>", "abc") == "a<\x00>c"): \0 is never group 0.
  EXPECT_EQ(PythonRegex("b", "t").substitute("abc", "<\\0>"), std::string("a<\0>c", 5));
  EXPECT_EQ(PythonRegex("b", "t").substitute("abc", "<\\011>"), "a<\t>c");
  EXPECT_EQ(PythonRegex("(b)", "t").substitute("abc", "<\\101\\1>"), "a<Ab>c");
  // Two digits are one group reference, as Python reads them: \10 with one group is an error.
  EXPECT_THROW(PythonRegex("(b)", "t").substitute("abc", "\\10"), UserError);
  EXPECT_EQ(PythonRegex("(?s).*#### ", "t").substitute("work\nmore\n#### 42", ""), "42");
}

// ------------------------------------------------------------ filters and exact_match

FilterPipeline pipeline(const std::string& yaml) { return FilterPipeline::from_json(yaml_to_json(yaml, "f"), "f"); }

TEST(LmEvalFilters, Gsm8kStrictAndFlexibleExtraction) {
  // lm-eval's gsm8k.yaml filter_list.
  const FilterPipeline strict = pipeline(R"yaml(
name: strict-match
filter:
  - function: regex
    regex_pattern: "#### (\\-?[0-9\\.\\,]+)"
  - function: take_first
)yaml");
  const FilterPipeline flexible = pipeline(R"yaml(
name: flexible-extract
filter:
  - function: regex
    group_select: -1
    regex_pattern: "(-?[$0-9.,]{2,})|(-?[0-9]+)"
  - function: take_first
)yaml");
  EXPECT_EQ(strict.apply({"She pays 3 * 2 = 6 dollars.\n#### 6", "#### 7"}), std::vector<std::string>{"6"});
  EXPECT_EQ(strict.apply({"The answer is 6."}), std::vector<std::string>{"[invalid]"});
  EXPECT_EQ(flexible.apply({"3 + 4 = 7, so she has $1,200.\n"}), std::vector<std::string>{"$1,200."});
  EXPECT_EQ(flexible.apply({"no digits"}), std::vector<std::string>{"[invalid]"});
  EXPECT_EQ(strict.to_json()["name"], "strict-match");
}

TEST(LmEvalFilters, SelectionAndTransformationSteps) {
  EXPECT_EQ(pipeline("{name: v, filter: [{function: majority_vote}]}").apply({"b", "a", "a", "b", "c"}),
            std::vector<std::string>{"b"});  // tie: the earliest answer, as Counter.most_common
  EXPECT_EQ(pipeline("{name: k, filter: [{function: take_first_k, k: 2}]}").apply({"x", "y", "z"}),
            (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(pipeline("{name: w, filter: [{function: remove_whitespace}, {function: uppercase}]}").apply({"  ab", "ß"}),
            (std::vector<std::string>{" AB", "SS"}));
  EXPECT_EQ(pipeline("{name: l, filter: [{function: lowercase}]}").apply({"ÀÉ Straße"}), std::vector<std::string>{"àé straße"});
  EXPECT_EQ(pipeline("{name: m, filter: [{function: map, mapping_dict: {A: '0', B: '1'}, default_value: '-1'}]}")
                .apply({"B", "Q"}),
            (std::vector<std::string>{"1", "-1"}));
  EXPECT_USER_ERROR_CONTAINS(pipeline("{name: x, filter: [{function: multi_choice_regex}]}"), "multi_choice_regex");
  EXPECT_USER_ERROR_CONTAINS(pipeline("{name: x, filter: [{function: regex, pattern: a}]}"), "takes no argument \"pattern\"");
  // Found by fuzz_task_file: an unquoted '#' makes the rest of the line a comment, so the pattern is null.
  EXPECT_USER_ERROR_CONTAINS(pipeline("name: x\nfilter:\n  - function: regex\n    regex_pattern: #### (\\d+)\n"),
                             "regex_pattern must be a string");
}

TEST(LmEvalFilters, ExactMatchAsHuggingFaceEvaluate) {
  ExactMatchOptions gsm8k;  // lm-eval gsm8k.yaml: ignore_case, ignore_punctuation false, these regexes
  for (const char* r : {",", "\\$", "(?s).*#### ", "\\.$"})
    gsm8k.regexes_to_ignore.push_back(std::make_shared<PythonRegex>(r, "t"));
  gsm8k.ignore_case = true;
  EXPECT_EQ(exact_match("$1,200.", "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs.\n#### 1200", gsm8k), 1.0);
  EXPECT_EQ(exact_match("1200.5", "#### 1200", gsm8k), 0.0);
  ExactMatchOptions punctuation;
  punctuation.ignore_punctuation = true;
  EXPECT_EQ(exact_match("(A)", "A", punctuation), 1.0);
  EXPECT_EQ(exact_match("(A)", "A", ExactMatchOptions{}), 0.0);
  ExactMatchOptions numbers;
  numbers.ignore_numbers = true;
  EXPECT_EQ(exact_match("step 1", "step 2", numbers), 1.0);
}

// ------------------------------------------------------------ whole task files

// lm-eval's gsm8k.yaml, with dataset_files in place of the Hugging Face dataset.
const char* kLmEvalGsm8k = R"yaml(
task: gsm8k_from_file
dataset_path: gsm8k
dataset_name: main
output_type: generate_until
dataset_files:
  train: gsm8k/train.jsonl
  test: gsm8k/test.jsonl
training_split: train
fewshot_split: train
test_split: test
doc_to_text: "Question: {{question}}\nAnswer:"
doc_to_target: "{{answer}}"
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
    ignore_case: true
    ignore_punctuation: false
    regexes_to_ignore:
      - ","
      - "\\$"
      - "(?s).*#### "
      - "\\.$"
generation_kwargs:
  until:
    - "Question:"
    - "</s>"
    - "<|im_end|>"
  do_sample: false
  temperature: 0.0
repeats: 1
num_fewshot: 5
filter_list:
  - name: "strict-match"
    filter:
      - function: "regex"
        regex_pattern: "#### (\\-?[0-9\\.\\,]+)"
      - function: "take_first"
  - name: "flexible-extract"
    filter:
      - function: "regex"
        group_select: -1
        regex_pattern: "(-?[$0-9.,]{2,})|(-?[0-9]+)"
      - function: "take_first"
metadata:
  version: 3.0
)yaml";

TEST(TaskFiles, LmEvalGsm8kFileReproducesTheBuiltInGsm8kPrompts) {
  // The C++ gsm8k task follows lm-eval's gsm8k; the same task written as lm-eval's YAML must ask
  // every doc the same prompt with the same few-shot draw and stop strings.
  test::ScratchDir dir("gsm8k-file");
  write(dir.path() / "gsm8k.yaml", kLmEvalGsm8k);
  TaskOptions options = test::shipped_options(40);
  options.task_files = {(dir.path() / "gsm8k.yaml").string()};
  const auto from_file = make_task("gsm8k_from_file", options);
  const auto built_in = make_task("gsm8k", test::shipped_options(40));
  ASSERT_EQ(from_file->docs().size(), 40u);
  EXPECT_EQ(from_file->version(), "3.0");
  for (size_t i = 0; i < 40; ++i) {
    const TaskRequest a = from_file->build_request(from_file->docs()[i]);
    const TaskRequest b = built_in->build_request(built_in->docs()[i]);
    ASSERT_EQ(a.contexts, b.contexts) << "doc " << i;
    EXPECT_EQ(a.stop_strings, b.stop_strings);
    EXPECT_EQ(a.kind, RequestKind::Generate);
  }
  EXPECT_EQ(from_file->metric_names(), (std::vector<std::string>{"exact_match,strict-match", "exact_match,flexible-extract"}));
  // Scoring: the gold answer's own "#### n" line passes both filters; a wrong number fails both.
  const Doc& doc = from_file->docs()[0];
  const TaskRequest request = from_file->build_request(doc);
  const std::string gold = doc.fields["answer"].get<std::string>();
  const ScoredSample right = from_file->score(doc, request, TaskOutput{{gold + "\n\nQuestion: next"}, {}});
  EXPECT_EQ(right.metrics.at("exact_match,strict-match"), 1.0);
  EXPECT_EQ(right.metrics.at("exact_match,flexible-extract"), 1.0);
  const ScoredSample wrong = from_file->score(doc, request, TaskOutput{{"#### 99999"}, {}});
  EXPECT_EQ(wrong.metrics.at("exact_match,strict-match"), 0.0);
  EXPECT_EQ(from_file->scoring_settings()["definition_sha256"].get<std::string>().size(), 64u);
}

// The prompt fingerprint as Task::prompt_fingerprint computed it when ARC was still C++, so the
// values pinned then keep pinning the same bytes.
std::string fingerprint_before_records(const Task& task) {
  std::string digests;
  for (const Doc& doc : task.docs()) {
    const TaskRequest request = task.build_request(doc);
    const Json rendered = {{"doc_id", request.doc_id},
                           {"contexts", request.contexts},
                           {"continuations", request.continuations},
                           {"stop_strings", request.stop_strings},
                           {"samples", request.samples}};
    digests += sha256_hex(rendered.dump());
  }
  return sha256_hex(task.name() + "\n" + task.version() + "\n" + digests);
}

TEST(TaskFiles, ShippedArcDefinitionsKeepTheirPromptsByteForByte) {
  // ARC was C++ before it became tasks/definitions/arc_*.yaml; the definitions were checked to give
  // every doc the C++ task's request (contexts, continuations, target) at 0 and 3 shots, and these
  // are the fingerprints of all those prompts, so no byte of them can change unnoticed.
  const std::map<std::pair<std::string, int>, std::string> pinned = {
      {{"arc_easy", 0}, "19afe5ae309720c440a17853c557c283feb7f6d43316d023d1fc74ea96f34e0a"},
      {{"arc_easy", 3}, "56c4cee2d488624e2fdc8de0f9db958878c1390c860dca654614b43f178aaf24"},
      {{"arc_challenge", 0}, "73815914e3d563388b588fb1932b9dcdc10f25e3eca010fb8be1f32c59798334"},
      {{"arc_challenge", 3}, "e4c579fec0721e2dc20de060815516ad19774a5d3900ce32aae7c49017dc0368"}};
  for (const auto& [key, fingerprint] : pinned) {
    TaskOptions options = test::shipped_options();
    options.num_fewshot = key.second;
    const auto task = make_task(key.first, options);
    EXPECT_EQ(fingerprint_before_records(*task), fingerprint) << key.first << " shots " << key.second;
    EXPECT_EQ(task->scoring_settings()["task_file"], "builtin:" + key.first + ".yaml");
  }
}

TEST(TaskFiles, NewBenchmarkFromOneFileWithItsOwnData) {
  // A user's benchmark: data beside the file, a description template, first_n shots from a dev
  // split, a custom delimiter, a lowercase + regex filter and a list of accepted answers.
  test::ScratchDir dir("own-task");
  write(dir.path() / "data" / "dev.jsonl",
        "{\"q\": \"2+2\", \"a\": [\"4\", \"four\"]}\n{\"q\": \"3+3\", \"a\": [\"6\"]}\n{\"q\": \"1+0\", \"a\": [\"1\"]}\n");
  write(dir.path() / "data" / "test.csv", "id,q,a\nx1,5+5,10\nx2,\"7, plus 1\",8\n");
  write(dir.path() / "sums.yaml", R"yaml(
task: sums
summary: sums of small numbers
output_type: generate_until
dataset_files: {dev: ./data/dev.jsonl, test: ./data/test.csv}
test_split: test
fewshot_split: dev
fewshot_config: {sampler: first_n}
num_fewshot: 2
doc_id: id
description: "Add the numbers.{{ '\n\n' }}"
doc_to_text: "Q: {{q | trim}} =>"
doc_to_target: "{{a}}"
target_delimiter: " "
fewshot_delimiter: "\n###\n"
generation_kwargs: {until: ["###"]}
filter_list:
  - name: number
    filter:
      - {function: lowercase}
      - {function: regex, regex_pattern: "(\\d+|four)"}
      - {function: take_first}
)yaml");
  TaskOptions options = test::shipped_options();
  options.task_files = {dir.path().string()};
  const auto task = make_task("sums", options);
  ASSERT_EQ(task->docs().size(), 2u);
  EXPECT_EQ(task->docs()[1].id, "x2");
  const TaskRequest r = task->build_request(task->docs()[1]);
  // The list target renders its first answer in the examples, as lm-eval does.
  EXPECT_EQ(r.contexts.at(0), "Add the numbers.\n\nQ: 2+2 => 4\n###\nQ: 3+3 => 6\n###\nQ: 7, plus 1 =>");
  EXPECT_EQ(r.stop_strings, std::vector<std::string>{"###"});
  EXPECT_EQ(r.target, "8");
  EXPECT_EQ(task->metric_names(), std::vector<std::string>{"exact_match,number"});
  const ScoredSample s = task->score(task->docs()[1], r, TaskOutput{{" The sum is 8.\n###\nQ: 9"}, {}});
  EXPECT_EQ(s.metrics.at("exact_match,number"), 1.0);
  EXPECT_EQ(s.filtered["number"], Json::array({"8"}));
  // list_tasks shows it with its summary; a file may not take a shipped task's name.
  bool listed = false;
  for (const auto& [name, description] : list_tasks(options.task_files)) listed = listed || (name == "sums" && description == "sums of small numbers");
  EXPECT_TRUE(listed);
  write(dir.path() / "clash.yaml", "task: gsm8k\noutput_type: generate_until\ndataset_files: {test: x.jsonl}\n"
                                   "test_split: test\ndoc_to_text: q\ndoc_to_target: a\n");
  EXPECT_USER_ERROR_CONTAINS(list_tasks(options.task_files), "which dlmeval ships");
}

TEST(TaskFiles, MultipleChoiceFromAFileScoresLikeTheBuiltInChoiceTasks) {
  test::ScratchDir dir("mc-task");
  write(dir.path() / "q.jsonl",
        "{\"question\": \"Sky?\", \"choices\": [\"blue\", \"green\"], \"label\": \"blue\"}\n"
        "{\"question\": \"Grass?\", \"choices\": [\"red\", \"green\"], \"label\": \"green\"}\n");
  write(dir.path() / "colours.yaml", R"yaml(
task: colours
output_type: multiple_choice
dataset_files: {test: ./q.jsonl}
test_split: test
doc_to_text: "{{question}}"
doc_to_choice: choices
doc_to_target: label
target_delimiter: ": "
num_fewshot: 1
metric_list: [{metric: acc}]
)yaml");
  TaskOptions options = test::shipped_options();
  options.task_files = {(dir.path() / "colours.yaml").string()};
  const auto task = make_task("colours", options);
  const TaskRequest r = task->build_request(task->docs()[0]);
  // One shot drawn from the test split itself, never the doc at hand.
  EXPECT_EQ(r.contexts, std::vector<std::string>{"Grass?: green\n\nSky?"});
  EXPECT_EQ(r.continuations, (std::vector<std::string>{": blue", ": green"}));
  EXPECT_EQ(r.target, 0);
  EXPECT_EQ(task->metric_names(), std::vector<std::string>{"acc"});
  EXPECT_EQ(task->score(task->docs()[0], r, TaskOutput{{}, {-1.0, -2.0}}).metrics.at("acc"), 1.0);
  EXPECT_EQ(task->score(task->docs()[0], r, TaskOutput{{}, {-3.0, -2.0}}).metrics.at("acc"), 0.0);
}

TEST(TaskFiles, TemplateErrorsNameTheFileAndKey) {
  test::ScratchDir dir("bad-template");
  write(dir.path() / "q.jsonl", "{\"question\": \"x\"}\n");
  const std::string head = "task: broken\noutput_type: generate_until\ndataset_files: {test: ./q.jsonl}\ntest_split: test\n";
  auto make = [&](const std::string& rest) {
    write(dir.path() / "t.yaml", head + rest);
    TaskOptions options = test::shipped_options();
    options.task_files = {(dir.path() / "t.yaml").string()};
    return make_task("broken", options);
  };
  // StrictUndefined: a misspelt field is an error, not an empty string.
  EXPECT_USER_ERROR_CONTAINS(make("doc_to_text: \"{{questoin}}\"\ndoc_to_target: x\n"), "doc_to_text");
  EXPECT_USER_ERROR_CONTAINS(make("doc_to_text: \"{{question\"\ndoc_to_target: x\n"), "syntax error");
  EXPECT_USER_ERROR_CONTAINS(make("doc_to_text: q\ndoc_to_target: x\noutput_type: loglikelihood\n"), "output_type");
  EXPECT_USER_ERROR_CONTAINS(make("doc_to_text: q\ndoc_to_target: x\nmetric_list: [{metric: bleu}]\n"), "bleu");
  EXPECT_USER_ERROR_CONTAINS(make("doc_to_text: q\ndoc_to_target: x\nnum_fewshot: 3\n"), "few-shot");
}

}  // namespace
}  // namespace dlmeval
