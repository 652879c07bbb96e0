// Answer extraction on arbitrary model output: the GSM8K, BBH and option-letter extractors and the
// regexes behind them, and whole-task scoring (GSM8K, BBH subtasks, MMLU) of the output on one of
// the task's documents. Input: one byte choosing the task, one the document, then the output.
#include <memory>
#include <vector>

#include "scorers/bbh_answer.h"
#include "scorers/number_extraction.h"
#include "scorers/option_letter.h"
#include "tasks/task.h"
#include "tasks/text_util.h"
#include "tests/fuzz/fuzz_support.h"

namespace {
const std::vector<std::unique_ptr<dlmeval::Task>>& tasks() {
  static const auto loaded = [] {
    std::vector<std::unique_ptr<dlmeval::Task>> t;
    dlmeval::TaskOptions options;
    options.data_dir = dlmeval::fuzz::shared_dir() + "/data";
    options.limit = 16;
    for (const char* name : {"gsm8k", "bbh_date_understanding", "bbh_word_sorting", "bbh_object_counting",
                             "bbh_boolean_expressions", "bbh_dyck_languages", "mmlu"})
      t.push_back(dlmeval::make_task(name, options));
    return t;
  }();
  return loaded;
}
}  // namespace

// Loaded before the first input, so their one-time cost never counts against the 1 s per input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)tasks();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  if (size < 2) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
  try {
    (void)extract_gsm8k_strict(text);
    if (auto number = extract_last_number(text)) (void)normalize_number(*number);
    (void)numbers_equal(text, text.substr(0, text.size() / 2));
    (void)extract_bbh_answer(text);
    (void)bbh_match(text, text.substr(text.size() / 2));
    (void)first_option_letter(text, "ABCD");
    (void)truncate_at_stops(text, {"\n\n", "Question:", text.substr(0, 3)});
    const auto& all = tasks();
    const auto& task = *all[data[0] % all.size()];
    const auto& doc = task.docs()[data[1] % task.docs().size()];
    const TaskRequest request = task.build_request(doc);
    TaskOutput output;
    if (task.kind() == RequestKind::Generate) {
      output.texts = {text};
    } else {
      for (size_t i = 0; i < request.continuations.size(); ++i)
        output.loglik.push_back(i < text.size() ? static_cast<double>(static_cast<int8_t>(text[i])) : 0.0);
    }
    (void)task.score(doc, request, output);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "extraction failed: %s\n", e.what());
    std::abort();
  }
  return 0;
}
