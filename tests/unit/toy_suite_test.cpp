// The generated toy suite: deterministic from its seed, in the formats of the real benchmarks,
// arithmetically right, and with no question shared between train and test.
#include <gtest/gtest.h>

#include <re2/re2.h>

#include <algorithm>
#include <set>

#include "harness/core/error.h"
#include "harness/core/hash.h"
#include "scorers/number_extraction.h"
#include "task_test_util.h"
#include "tasks/toy_suite.h"

using namespace dlmeval;

namespace {

std::string question_key(const std::string& family, const Json& record) {
  if (family == "arith") return record.at("question").get<std::string>();
  if (family == "choice") return record.at("question").at("stem").get<std::string>();
  return record.at("prompt").get<std::string>();
}

std::vector<std::pair<std::string, const ToySplit*>> families(const ToySuite& suite) {
  return {{"arith", &suite.arith}, {"choice", &suite.choice}, {"code", &suite.code}};
}

}  // namespace

TEST(ToySuite, SameSeedSameSuiteOtherSeedOtherSuite) {
  const ToySuite a = generate_toy_suite(7), b = generate_toy_suite(7), c = generate_toy_suite(8);
  for (size_t f = 0; f < 3; ++f) {
    EXPECT_EQ(Json(families(a)[f].second->train), Json(families(b)[f].second->train));
    EXPECT_EQ(Json(families(a)[f].second->test), Json(families(b)[f].second->test));
    EXPECT_NE(Json(families(a)[f].second->test), Json(families(c)[f].second->test)) << families(a)[f].first;
  }
}

TEST(ToySuite, WrittenFilesAreByteIdenticalForTheSameSeed) {
  test::ScratchDir first("toy-a"), second("toy-b");
  write_toy_suite(first.path().string(), 3);
  write_toy_suite(second.path().string(), 3);
  for (const char* family : {"arith", "choice", "code"}) {
    for (const char* split : {"train", "test"}) {
      const std::string rel = toy_file(family, split);
      EXPECT_EQ(sha256_file((first.path() / rel).string()), sha256_file((second.path() / rel).string())) << rel;
    }
  }
  // The files hold exactly the generated records.
  const ToySuite suite = generate_toy_suite(3);
  EXPECT_EQ(read_jsonl_file((first.path() / toy_file("arith", "test")).string()), suite.arith.test);
  EXPECT_EQ(read_jsonl_file((first.path() / toy_file("code", "train")).string()), suite.code.train);
}

TEST(ToySuite, TrainAndTestShareNoQuestion) {
  const ToySuite suite = generate_toy_suite(kToySuiteDefaultSeed);
  for (const auto& [family, split] : families(suite)) {
    EXPECT_GT(split->train.size(), split->test.size()) << family;
    EXPECT_GE(split->test.size(), 40u) << family;
    std::set<std::string> train_keys;
    for (const Json& r : split->train) train_keys.insert(question_key(family, r));
    EXPECT_EQ(train_keys.size(), split->train.size()) << family << ": duplicate train question";
    std::set<std::string> test_keys;
    for (const Json& r : split->test) {
      EXPECT_EQ(train_keys.count(question_key(family, r)), 0u) << family << ": " << question_key(family, r);
      test_keys.insert(question_key(family, r));
    }
    EXPECT_EQ(test_keys.size(), split->test.size()) << family << ": duplicate test question";
  }
}

TEST(ToySuite, ArithmeticAnswersAreGsm8kFormattedAndCorrect) {
  const ToySuite suite = generate_toy_suite(kToySuiteDefaultSeed);
  static const RE2 step(R"((\d+)([+-])(\d+)=(\d+))");
  for (const auto* records : {&suite.arith.train, &suite.arith.test}) {
    for (const Json& r : *records) {
      check_toy_record("arith", r, "generated");
      const std::string answer = r.at("answer").get<std::string>();
      const auto strict = extract_gsm8k_strict(answer);
      ASSERT_TRUE(strict.has_value()) << answer;
      re2::StringPiece rest(answer);
      int a = 0, b = 0, c = 0, last = -1;
      std::string op;
      while (RE2::FindAndConsume(&rest, step, &a, &op, &b, &c)) {
        EXPECT_EQ(op == "+" ? a + b : a - b, c) << answer;
        EXPECT_GE(c, 0) << answer;
        last = c;
      }
      EXPECT_EQ(std::to_string(last), *strict) << answer;
      EXPECT_NE(r.at("question").get<std::string>().find("How many"), std::string::npos);
    }
  }
}

TEST(ToySuite, ChoiceRecordsAreArcFormattedWithTheRightKey) {
  const ToySuite suite = generate_toy_suite(kToySuiteDefaultSeed);
  size_t numeric = 0, words = 0;
  for (const Json& r : suite.choice.test) {
    check_toy_record("choice", r, "generated");
    const std::vector<std::string> options = toy_choice_options(r);
    ASSERT_EQ(options.size(), 4u);
    const Json& choices = r["question"]["choices"];
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(choices[i]["label"], std::string(1, static_cast<char>('A' + i)));
    const std::string stem = r["question"]["stem"].get<std::string>();
    // The stem lists the options in order, since ARC's prompt shows only the stem.
    EXPECT_NE(stem.find(options[0] + ", " + options[1] + ", " + options[2] + " or " + options[3] + "?"),
              std::string::npos)
        << stem;
    EXPECT_EQ(std::set<std::string>(options.begin(), options.end()).size(), 4u) << stem;
    const std::string gold = options[toy_choice_gold(r)];
    if (stem.find("number") != std::string::npos) {
      ++numeric;
      std::vector<int> values;
      for (const auto& o : options) values.push_back(std::stoi(o));
      const bool largest = stem.find("largest") != std::string::npos;
      const int expected = largest ? *std::max_element(values.begin(), values.end())
                                   : *std::min_element(values.begin(), values.end());
      EXPECT_EQ(gold, std::to_string(expected)) << stem;
    } else {
      ++words;
    }
  }
  EXPECT_GT(numeric, 0u);
  EXPECT_GT(words, 0u);
  // The gold position is spread over the four labels (a model cannot win by always saying A).
  std::set<std::string> keys;
  for (const Json& r : suite.choice.test) keys.insert(r["answerKey"].get<std::string>());
  EXPECT_EQ(keys.size(), 4u);
}

TEST(ToySuite, CodeRecordsAreHumanEvalFormatted) {
  const ToySuite suite = generate_toy_suite(kToySuiteDefaultSeed);
  EXPECT_EQ(suite.code.train.size() + suite.code.test.size(), 162u);
  for (const Json& r : suite.code.test) {
    check_toy_record("code", r, "generated");
    const std::string prompt = r["prompt"].get<std::string>();
    EXPECT_EQ(prompt.rfind("def " + r["entry_point"].get<std::string>() + "(", 0), 0u) << prompt;
    EXPECT_NE(r["test"].get<std::string>().find("def check(candidate):"), std::string::npos);
    EXPECT_EQ(r["canonical_solution"].get<std::string>().rfind("    return ", 0), 0u);
  }
}

TEST(ToySuite, TrainingExamplesFromFilesMatchTheSuiteInMemory) {
  test::ScratchDir dir("toy-train");
  write_toy_suite(dir.path().string(), 5);
  const auto from_files = toy_training_examples(dir.path().string());
  const auto in_memory = toy_training_examples(generate_toy_suite(5));
  ASSERT_EQ(from_files.size(), in_memory.size());
  for (size_t i = 0; i < from_files.size(); ++i) {
    EXPECT_EQ(from_files[i].family, in_memory[i].family);
    EXPECT_EQ(from_files[i].prompt, in_memory[i].prompt);
    EXPECT_EQ(from_files[i].response, in_memory[i].response);
  }
  const auto& first = from_files.front();
  EXPECT_EQ(first.family, "arith");
  EXPECT_EQ(first.prompt.rfind("Question: ", 0), 0u);
  EXPECT_EQ(first.prompt.substr(first.prompt.size() - 8), "\nAnswer:");
  EXPECT_EQ(first.response[0], ' ');
}

TEST(ToySuite, MalformedRecordNamesFileAndLine) {
  test::ScratchDir dir("toy-bad");
  write_toy_suite(dir.path().string(), 1);
  const std::string path = (dir.path() / toy_file("choice", "train")).string();
  write_text_file_atomic(path, R"({"id": "x", "question": {"stem": "q", "choices": []}, "answerKey": "A"})" "\n");
  try {
    toy_training_examples(dir.path().string());
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("choices"), std::string::npos) << e.what();
  }
}
