#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "scorers/bbh_answer.h"
#include "scorers/number_extraction.h"

using namespace dlmeval;

namespace {

struct ExtractionRow {
  std::string text;
  std::optional<std::string> strict;    // expected extract_gsm8k_strict
  std::optional<std::string> flexible;  // expected extract_last_number
  std::string normalized;               // expected normalize_number(flexible), "" when none
};

// Model outputs that trip naive extractors; expectations follow lm-eval's two GSM8K regexes.
const std::vector<ExtractionRow> kExtractionRows = {
    {"The answer is $29.00", std::nullopt, "$29.00", "29"},
    {"#### 72", "72", "72", "72"},
    {"#### 72.", "72.", "72.", "72"},
    {"She has 1,000 apples.\n#### 1,000", "1,000", "1,000", "1000"},
    {"The temperature is -5 degrees.", std::nullopt, "-5", "-5"},
    {"It costs 3.50 dollars", std::nullopt, "3.50", "3.5"},
    {"First 12, then 15, finally 18.", std::nullopt, "18.", "18"},
    {"No numbers here.", std::nullopt, std::nullopt, ""},
    {"", std::nullopt, std::nullopt, ""},
    {"#### -3", "-3", "-3", "-3"},
    {"#### $5", std::nullopt, "$5", "5"},
    {"Answer: 42\n\nQuestion: what is 3+4?", std::nullopt, "4", "4"},
    {"Wait ... then 7", std::nullopt, "7", "7"},
    {"7 and 8", std::nullopt, "8", "8"},
    {"x = 0.5", std::nullopt, "0.5", "0.5"},
    {"#### 1,234,567", "1,234,567", "1,234,567", "1234567"},
    {"a-b-5", std::nullopt, "-5", "-5"},
    {"####72", std::nullopt, "72", "72"},
    {"#### 10\n#### 20", "10", "20", "20"},
    {"$1,000.00 total", std::nullopt, "$1,000.00", "1000"},
    {"Step 1: 3 + 4 = 7.\nThe answer is 7.", std::nullopt, "7.", "7"},
    {"+5", std::nullopt, "5", "5"},
    {"#### .5", ".5", ".5", "0.5"},
    {"They paid $1,500 in total, so #### 1500", "1500", "1500", "1500"},
    {"The result is 1e5", std::nullopt, "5", "5"},
    {"#### 007", "007", "007", "7"},
    {"-$20 is the loss", std::nullopt, "-$20", "-20"},
    {"#### 18\nThe end.", "18", "18", "18"},
    {"Total: 2.000", std::nullopt, "2.000", "2"},
    {"Year 2024, day 3", std::nullopt, "3", "3"},
};

TEST(NumberExtraction, TableOfTrickyOutputs) {
  for (const auto& row : kExtractionRows) {
    SCOPED_TRACE("text: " + row.text);
    EXPECT_EQ(extract_gsm8k_strict(row.text), row.strict);
    auto flexible = extract_last_number(row.text);
    EXPECT_EQ(flexible, row.flexible);
    EXPECT_EQ(flexible ? normalize_number(*flexible) : std::string(), row.normalized);
  }
}

TEST(NumberExtraction, NumbersEqualIgnoresFormatting) {
  struct Pair {
    const char* a;
    const char* b;
    bool equal;
  };
  const std::vector<Pair> pairs = {
      {"$29.00", "29", true}, {"1,000", "1000", true}, {"72.", "72", true},   {"3.50", "3.5", true},
      {"+5", "5", true},      {"-0", "0", true},       {"007", "7", true},    {" 12 ", "12", true},
      {"0.50", ".5", true},   {"-5", "5", false},      {"5", "6", false},     {"1.5", "15", false},
      {"abc", "abc", true},   {"abc", "ABC", false},   {"100", "1,00", true},  // separators are not validated
  };
  for (const auto& p : pairs) {
    SCOPED_TRACE(std::string(p.a) + " vs " + p.b);
    EXPECT_EQ(numbers_equal(p.a, p.b), p.equal);
  }
  EXPECT_EQ(normalize_number("1.2.3"), "1.2.3");  // not a number: left as is
}

TEST(BbhAnswer, ExtractsTextAfterLastPhrase) {
  EXPECT_EQ(extract_bbh_answer("So the answer is **(B)**.\n\nQ: next question"), "(B)");
  EXPECT_EQ(extract_bbh_answer("THE ANSWER IS True."), "True");
  EXPECT_EQ(extract_bbh_answer("The answer is (A). Wait, no, the answer is (D)."), "(D)");
  EXPECT_EQ(extract_bbh_answer("The answer is: `valid`"), "valid");
  EXPECT_EQ(extract_bbh_answer("no phrase here."), "no phrase here");
  EXPECT_EQ(extract_bbh_answer("So the answer is \"apple banana\"."), "apple banana");
}

TEST(BbhAnswer, MatchTable) {
  struct Row {
    const char* output;
    const char* target;
    bool match;
  };
  const std::vector<Row> rows = {
      {"Let's think step by step. So the answer is (B).", "(B)", true},
      {"So the answer is B.", "(B)", true},
      {"So the answer is (B) blue.", "(B)", true},
      {"So the answer is **(C)**.", "(C)", true},
      {"So the answer is (C).", "(B)", false},
      {"The answer is: A", "(A)", true},
      {"so the answer is b)", "(B)", true},
      {"So the answer is option (C).", "(C)", true},
      {"A man walks into a bar", "(A)", false},
      {"(B)", "(B)", true},
      {"So the answer is **True**.", "True", true},
      {"So the answer is false.", "False", true},
      {"So the answer is Yes.", "No", false},
      {"So the answer is yes", "Yes", true},
      {"So the answer is invalid.", "invalid", true},
      {"So the answer is valid.", "invalid", false},
      {"So the answer is 5.", "5", true},
      {"So the answer is five.", "5", true},
      {"So the answer is -133.", "-133", true},
      {"So the answer is 133.", "-133", false},
      {"the answer is 1,024", "1024", true},
      {"So the answer is apple banana  cherry.", "apple banana cherry", true},
      {"So the answer is apple cherry banana.", "apple banana cherry", false},
      {"So the answer is ] ) }.", "] ) }", true},
      {"The answer is (A)... wait, no, the answer is (D).", "(D)", true},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(row.output) + " | target " + row.target);
    EXPECT_EQ(bbh_match(row.output, row.target), row.match);
  }
}

TEST(BbhAnswer, NormalizeFollowsTargetShape) {
  EXPECT_EQ(normalize_bbh("(a) red", "(A)"), "(A)");
  EXPECT_EQ(normalize_bbh("TRUE", "True"), "true");
  EXPECT_EQ(normalize_bbh("$12.00", "12"), "12");
  EXPECT_EQ(normalize_bbh("  Sorted   Words ", "sorted words"), "sorted words");
}

}  // namespace
