#pragma once
// The toy suite: three small generated benchmarks in the file formats of real ones, so that a
// model trained by dlmeval itself can be evaluated end to end on a machine with no checkpoint and
// no downloaded data. Everything is deterministic from one seed; train and test never share a
// question. Layout under a data directory:
//   toy/arith/{train,test}.jsonl   GSM8K records {"question", "answer"}; answers end "#### N"
//   toy/choice/{train,test}.jsonl  ARC records {"id", "question": {"stem", "choices": [{"text",
//                                  "label"}]}, "answerKey"}; four options, the stem lists them
//   toy/code/{train,test}.jsonl    HumanEval records {"task_id", "prompt", "entry_point",
//                                  "canonical_solution", "test"}
//   toy/count/{train,test}.jsonl   long answers: {"id", "start", "end", "question", "answer"},
//                                  "Count from 17 to 34." answered "17, 18, ..., 34" (17 to 21
//                                  two-digit numbers, 64 tokens or more), where decoding many
//                                  tokens per step matters
// The prompt/response renderers below are the single definition used both by the toy tasks
// (tasks/toy_tasks.h) and to build the training corpus, so training and evaluation see the same text.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

inline constexpr uint64_t kToySuiteDefaultSeed = 1;

struct ToySplit {
  std::vector<Json> train, test;
};

struct ToySuite {
  ToySplit arith, choice, code, count;
};

// Generates the whole suite in memory.
ToySuite generate_toy_suite(uint64_t seed);
// Writes the suite under `dir` (creating dir/toy/...); `dir` is then a data directory for the toy tasks.
void write_toy_suite(const std::string& dir, uint64_t seed);

// Relative paths of the files, as the toy tasks look them up in a data directory.
std::string toy_file(const std::string& family, const std::string& split);  // "toy/<family>/<split>.jsonl"

// Checks that `record` has the fields of its family's format; UserError naming `where` otherwise.
void check_toy_record(const std::string& family, const Json& record, const std::string& where);

// Rendering shared by the toy tasks and the training corpus (records already checked).
std::string toy_arith_prompt(const Json& record);    // "Question: ...\nAnswer:"
std::string toy_arith_response(const Json& record);  // " " + worked answer ending "#### N"
std::string toy_choice_prompt(const Json& record);   // "Question: <stem>\nAnswer:"
std::vector<std::string> toy_choice_options(const Json& record);
size_t toy_choice_gold(const Json& record);          // index of answerKey among the labels
std::string toy_code_prompt(const Json& record);     // the HumanEval-style prompt
std::string toy_code_response(const Json& record);   // the canonical solution (function body)
std::string toy_count_prompt(const Json& record);    // "Question: Count from A to B.\nAnswer:"
std::string toy_count_response(const Json& record);  // " A, A+1, ..., B"

// Tokens of response plus EOS padding a training example of the count family may take (the
// other families use the trainer's default): the count protocols' generation window, so the
// model learns to fill whatever follows its answer with EOS.
inline constexpr int64_t kToyCountResponseTokens = 96;

struct ToyExample {
  std::string family;  // "arith", "choice", "code", "count"
  std::string prompt;
  std::string response;
  int64_t response_length = 0;  // response + EOS padding tokens; 0 = the trainer's default
};

// The train split of every family under `data_dir`, rendered as (prompt, response) pairs.
// UserError naming the file and record for anything malformed.
std::vector<ToyExample> toy_training_examples(const std::string& data_dir);
// The same from a suite in memory.
std::vector<ToyExample> toy_training_examples(const ToySuite& suite);

}  // namespace dlmeval
