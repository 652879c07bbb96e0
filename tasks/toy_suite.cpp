#include "tasks/toy_suite.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "harness/core/error.h"
#include "harness/core/json_fields.h"
#include "tasks/data_files.h"

namespace dlmeval {
namespace {

namespace fs = std::filesystem;

constexpr size_t kArithTrain = 2000, kArithTest = 200;
constexpr size_t kChoiceTrain = 2000, kChoiceTest = 200;
constexpr size_t kCodeTest = 40;  // the rest of the 162 code templates is the train split
constexpr int kCountFirstStart = 10, kCountLastStart = 69, kCountShortest = 17, kCountLongest = 21;
constexpr size_t kCountTest = 60;  // of the 60 x 5 (start, length) pairs; the rest is the train split

// std::uniform_int_distribution differs between standard libraries; a modulo of the standard
// mt19937_64 gives the same suite everywhere (the bias is irrelevant for n this small).
class ToyRng {
 public:
  explicit ToyRng(uint64_t seed) : engine_(seed) {}
  size_t below(size_t n) { return static_cast<size_t>(engine_() % n); }
  int between(int lo, int hi) { return lo + static_cast<int>(below(static_cast<size_t>(hi - lo + 1))); }
  template <class T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

struct Person {
  const char* name;
  const char* pronoun;
};
const Person kPeople[] = {{"Ann", "She"}, {"Tom", "He"},  {"Mia", "She"}, {"Sam", "He"},
                          {"Lily", "She"}, {"Ben", "He"}, {"Zoe", "She"}, {"Max", "He"}};
const char* const kItems[] = {"apples", "pens", "cards", "books", "coins", "eggs", "cups", "toys"};

std::string n(int value) { return std::to_string(value); }

// Operands stay at most 5 (minuends at most 9): few enough addition and subtraction facts for a
// model trained for a minute or two to learn them, while still asking for one or two steps.

Json make_arith(ToyRng& rng) {
  const Person& p = kPeople[rng.below(std::size(kPeople))];
  const Person& q = kPeople[rng.below(std::size(kPeople))];
  const std::string item = kItems[rng.below(std::size(kItems))];
  const std::string has = std::string(p.name) + " has ";
  const std::string ask = " How many " + item + " does " + p.name + " have now?";
  std::string question, answer;
  switch (rng.below(4)) {
    case 0: {
      const int a = rng.between(1, 5), b = rng.between(1, 5);
      question = has + n(a) + " " + item + ". " + p.pronoun + " gets " + n(b) + " more." + ask;
      answer = n(a) + "+" + n(b) + "=" + n(a + b) + "\n#### " + n(a + b);
      break;
    }
    case 1: {
      const int a = rng.between(2, 9), b = rng.between(1, std::min(5, a - 1));
      question = has + n(a) + " " + item + ". " + p.pronoun + " gives away " + n(b) + "." + ask;
      answer = n(a) + "-" + n(b) + "=" + n(a - b) + "\n#### " + n(a - b);
      break;
    }
    case 2: {
      const int a = rng.between(1, 5), b = rng.between(1, 5), s = a + b, d = rng.between(1, std::min(5, s - 1));
      question = has + n(a) + " " + item + ". " + p.pronoun + " gets " + n(b) + " more, then gives away " + n(d) +
                 "." + ask;
      answer = n(a) + "+" + n(b) + "=" + n(s) + "\n" + n(s) + "-" + n(d) + "=" + n(s - d) + "\n#### " + n(s - d);
      break;
    }
    default: {
      const int a = rng.between(1, 5), b = rng.between(1, 5);
      question = has + n(a) + " " + item + " and " + (&p == &q ? "Kim" : q.name) + " has " + n(b) +
                 ". How many " + item + " do they have together?";
      answer = n(a) + "+" + n(b) + "=" + n(a + b) + "\n#### " + n(a + b);
      break;
    }
  }
  return Json{{"question", question}, {"answer", answer}};
}

struct Category {
  const char* article_name;  // as the question reads it
  std::vector<const char*> words;
};
const Category kCategories[] = {
    {"a fruit", {"apple", "pear", "plum", "grape", "lemon", "mango", "peach", "cherry"}},
    {"an animal", {"dog", "cat", "horse", "cow", "goat", "lion", "tiger", "mouse"}},
    {"a color", {"red", "blue", "green", "yellow", "pink", "black", "white", "brown"}},
    {"a tool", {"hammer", "saw", "drill", "wrench", "spade", "rake", "axe", "knife"}},
};

// The stem lists the options because lm-eval's ARC prompt shows only the stem.
Json make_choice(ToyRng& rng) {
  std::vector<std::string> options;
  std::string gold, lead;
  const size_t kind = rng.below(3);
  if (kind < 2) {
    std::vector<int> digits{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    rng.shuffle(digits);
    digits.resize(4);
    const int pick = kind == 0 ? *std::max_element(digits.begin(), digits.end())
                               : *std::min_element(digits.begin(), digits.end());
    for (int d : digits) options.push_back(n(d));
    gold = n(pick);
    lead = kind == 0 ? "Which number is the largest: " : "Which number is the smallest: ";
  } else {
    const size_t target = rng.below(std::size(kCategories));
    for (size_t c = 0; c < std::size(kCategories); ++c) {
      const auto& words = kCategories[c].words;
      options.push_back(words[rng.below(words.size())]);
      if (c == target) gold = options.back();
    }
    rng.shuffle(options);
    lead = std::string("Which word is ") + kCategories[target].article_name + ": ";
  }
  std::string stem = lead + options[0] + ", " + options[1] + ", " + options[2] + " or " + options[3] + "?";
  Json choices = Json::array();
  std::string key;
  for (size_t i = 0; i < options.size(); ++i) {
    const std::string label(1, static_cast<char>('A' + i));
    choices.push_back({{"text", options[i]}, {"label", label}});
    if (options[i] == gold) key = label;
  }
  return Json{{"question", {{"stem", stem}, {"choices", choices}}}, {"answerKey", key}};
}

struct CodeOp {
  const char* name;
  const char* word;
  char symbol;
};
const CodeOp kOps[] = {{"add", "plus", '+'}, {"sub", "minus", '-'}, {"mul", "times", '*'}};
const char* const kVars[] = {"x", "n", "a", "b", "v", "y"};

Json make_code(const CodeOp& op, int k, const std::string& var) {
  const std::string entry = std::string(op.name) + "_" + n(k);
  const std::string prompt =
      "def " + entry + "(" + var + "):\n    \"\"\"Return " + var + " " + op.word + " " + n(k) + ".\"\"\"\n";
  const std::string solution = "    return " + var + " " + op.symbol + " " + n(k) + "\n";
  std::string test = "\n\ndef check(candidate):\n";
  for (int input : {0, 3, 10, -2}) {
    const int expected = op.symbol == '+' ? input + k : op.symbol == '-' ? input - k : input * k;
    test += "    assert candidate(" + n(input) + ") == " + n(expected) + "\n";
  }
  return Json{{"prompt", prompt}, {"entry_point", entry}, {"canonical_solution", solution}, {"test", test}};
}

Json make_count(int start, int length) {
  const int end = start + length - 1;
  std::string answer;
  for (int v = start; v <= end; ++v) answer += (v == start ? "" : ", ") + n(v);
  return Json{{"start", start}, {"end", end}, {"question", "Count from " + n(start) + " to " + n(end) + "."},
              {"answer", answer}};
}

// Draws until `train + test` distinct records (by `key`) exist; the first `test` go to the test split.
template <class Draw, class Key>
ToySplit draw_unique(ToyRng& rng, size_t train, size_t test, Draw draw, Key key) {
  ToySplit split;
  std::set<std::string> seen;
  size_t attempts = 0;
  while (split.train.size() < train) {
    if (++attempts > 100 * (train + test)) throw std::logic_error("toy suite: template space too small");
    Json record = draw(rng);
    if (!seen.insert(key(record)).second) continue;
    (split.test.size() < test ? split.test : split.train).push_back(std::move(record));
  }
  return split;
}

// The first `test` records of the shuffled list are the test split, the rest the train split.
ToySplit shuffled_split(ToyRng& rng, std::vector<Json> records, size_t test) {
  rng.shuffle(records);
  ToySplit split;
  split.test.assign(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(test));
  split.train.assign(records.begin() + static_cast<std::ptrdiff_t>(test), records.end());
  return split;
}

// Sets `key` of every record to name(split, index within the split).
template <class Name>
void name_records(ToySplit& split, const char* key, Name name) {
  for (size_t i = 0; i < split.train.size(); ++i) split.train[i][key] = name("train", i);
  for (size_t i = 0; i < split.test.size(); ++i) split.test[i][key] = name("test", i);
}

void write_jsonl(const fs::path& path, const std::vector<Json>& records) {
  std::string text;
  for (const Json& record : records) text += record.dump() + "\n";
  write_text_file_atomic(path.string(), text);
}

}  // namespace

ToySuite generate_toy_suite(uint64_t seed) {
  ToyRng rng(seed);
  ToySuite suite;
  suite.arith = draw_unique(rng, kArithTrain, kArithTest, make_arith,
                            [](const Json& r) { return r["question"].get<std::string>(); });
  suite.choice = draw_unique(rng, kChoiceTrain, kChoiceTest, make_choice,
                             [](const Json& r) { return r["question"]["stem"].get<std::string>(); });
  name_records(suite.choice, "id", [](const char* split, size_t i) { return "toy_choice_" + std::string(split) + "_" + n(i); });

  std::vector<Json> code;
  for (const CodeOp& op : kOps) {
    for (int k = 1; k <= 9; ++k) {
      for (const char* var : kVars) code.push_back(make_code(op, k, var));
    }
  }
  suite.code = shuffled_split(rng, std::move(code), kCodeTest);
  name_records(suite.code, "task_id", [](const char* split, size_t i) { return "Toy/" + std::string(split) + "/" + n(i); });
  // Drawn after the other families, so adding this one left their records as they were.
  std::vector<Json> count;
  for (int start = kCountFirstStart; start <= kCountLastStart; ++start)
    for (int length = kCountShortest; length <= kCountLongest; ++length) count.push_back(make_count(start, length));
  suite.count = shuffled_split(rng, std::move(count), kCountTest);
  name_records(suite.count, "id", [](const char* split, size_t i) { return "toy_count_" + std::string(split) + "_" + n(i); });
  return suite;
}

std::string toy_file(const std::string& family, const std::string& split) {
  return "toy/" + family + "/" + split + ".jsonl";
}

void write_toy_suite(const std::string& dir, uint64_t seed) {
  const ToySuite suite = generate_toy_suite(seed);
  const std::pair<const char*, const ToySplit*> families[] = {
      {"arith", &suite.arith}, {"choice", &suite.choice}, {"code", &suite.code}, {"count", &suite.count}};
  for (const auto& [family, split] : families) {
    std::error_code ec;
    fs::create_directories(fs::path(dir) / "toy" / family, ec);
    if (ec) throw UserError(dir + ": cannot create the toy suite folder: " + ec.message());
    write_jsonl(fs::path(dir) / toy_file(family, "train"), split->train);
    write_jsonl(fs::path(dir) / toy_file(family, "test"), split->test);
  }
}

void check_toy_record(const std::string& family, const Json& record, const std::string& where) {
  if (family == "arith") {
    string_field(record, "question", where);
    if (string_field(record, "answer", where).find("####") == std::string::npos) {
      throw UserError(where + ": \"answer\" has no \"#### N\" final answer");
    }
  } else if (family == "choice") {
    string_field(record, "id", where);
    string_field(record, "answerKey", where);
    if (!record.contains("question") || !record["question"].is_object()) {
      throw UserError(where + ": missing \"question\" object");
    }
    string_field(record["question"], "stem", where);
    const Json& choices = record["question"].value("choices", Json());
    if (!choices.is_array() || choices.empty()) throw UserError(where + ": missing \"choices\" array");
    for (const Json& choice : choices) {
      string_field(choice, "text", where);
      string_field(choice, "label", where);
    }
    toy_choice_gold(record);
  } else if (family == "code") {
    for (const char* key : {"task_id", "prompt", "entry_point", "canonical_solution", "test"}) {
      string_field(record, key, where);
    }
  } else if (family == "count") {
    for (const char* key : {"id", "question", "answer"}) string_field(record, key, where);
  } else {
    throw std::invalid_argument("unknown toy family " + family);
  }
}

std::string toy_arith_prompt(const Json& record) {
  return "Question: " + record.at("question").get<std::string>() + "\nAnswer:";
}

std::string toy_arith_response(const Json& record) { return " " + record.at("answer").get<std::string>(); }

std::string toy_choice_prompt(const Json& record) {
  return "Question: " + record.at("question").at("stem").get<std::string>() + "\nAnswer:";
}

std::vector<std::string> toy_choice_options(const Json& record) {
  std::vector<std::string> options;
  for (const Json& choice : record.at("question").at("choices")) options.push_back(choice.at("text").get<std::string>());
  return options;
}

size_t toy_choice_gold(const Json& record) {
  const std::string key = record.at("answerKey").get<std::string>();
  const Json& choices = record.at("question").at("choices");
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i].at("label").get<std::string>() == key) return i;
  }
  throw UserError("toy_choice record " + record.value("id", std::string("?")) + ": answerKey \"" + key +
                  "\" names no choice label");
}

std::string toy_code_prompt(const Json& record) { return record.at("prompt").get<std::string>(); }

std::string toy_code_response(const Json& record) { return record.at("canonical_solution").get<std::string>(); }

std::string toy_count_prompt(const Json& record) {
  return "Question: " + record.at("question").get<std::string>() + "\nAnswer:";
}

std::string toy_count_response(const Json& record) { return " " + record.at("answer").get<std::string>(); }

namespace {

ToyExample render_example(const std::string& family, const Json& record) {
  ToyExample example{family, "", ""};
  if (family == "arith") {
    example.prompt = toy_arith_prompt(record);
    example.response = toy_arith_response(record);
  } else if (family == "choice") {
    example.prompt = toy_choice_prompt(record);
    example.response = " " + toy_choice_options(record)[toy_choice_gold(record)];
  } else if (family == "count") {
    example.prompt = toy_count_prompt(record);
    example.response = toy_count_response(record);
    example.response_length = kToyCountResponseTokens;
  } else {
    example.prompt = toy_code_prompt(record);
    example.response = toy_code_response(record);
  }
  return example;
}

}  // namespace

std::vector<ToyExample> toy_training_examples(const std::string& data_dir) {
  std::vector<ToyExample> examples;
  for (const char* family : {"arith", "choice", "code", "count"}) {
    const std::string path = locate_data_file(std::string("toy_") + family, data_dir, toy_file(family, "train"));
    size_t line = 0;
    for (const Json& record : read_jsonl_records(path)) {
      check_toy_record(family, record, path + ":" + std::to_string(++line));
      examples.push_back(render_example(family, record));
    }
  }
  return examples;
}

std::vector<ToyExample> toy_training_examples(const ToySuite& suite) {
  std::vector<ToyExample> examples;
  const std::pair<const char*, const ToySplit*> families[] = {
      {"arith", &suite.arith}, {"choice", &suite.choice}, {"code", &suite.code}, {"count", &suite.count}};
  for (const auto& [family, split] : families) {
    for (const Json& record : split->train) examples.push_back(render_example(family, record));
  }
  return examples;
}

}  // namespace dlmeval
