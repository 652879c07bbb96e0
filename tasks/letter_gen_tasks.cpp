// The OpenCompass `_gen` multiple-choice formats that LLaDA-8B-Instruct was evaluated with
// (EVAL.md; its opencompass examples), and the task that asks and scores them (letter_gen_task.h).
//  * arc_challenge_gen / arc_easy_gen: ARC_c_gen_1e0de5, "Question: {q}\nA. ..\nD. ..\nAnswer:";
//    like OpenCompass's ARCDataset, only questions with exactly four options are kept.
//  * hellaswag_gen: hellaswag_gen_6faab5, "{ctx}\nQuestion: Which ending makes the most sense?\n
//    A. ..\nD. ..\nYou may choose from 'A', 'B', 'C', 'D'.\nAnswer:", ctx = the lm-eval-preprocessed
//    query after its "activity label: " prefix, as hellaswagDataset_V2 reads it.
#include <stdexcept>

#include "harness/core/error.h"
#include "scorers/option_letter.h"
#include "tasks/choice_task.h"
#include "tasks/families.h"
#include "tasks/letter_gen_task.h"

namespace dlmeval {

LetterGenTask::LetterGenTask(std::string name, std::string options)
    : BasicTask(std::move(name), "1.0", RequestKind::Generate), options_(std::move(options)) {}

void LetterGenTask::add(Doc doc, LetterItem item) {
  docs_.push_back(std::move(doc));
  items_.push_back(std::move(item));
}

void LetterGenTask::finish(const TaskOptions& options) {
  finish_docs(options);
  items_.resize(docs_.size());
}

TaskRequest LetterGenTask::build_request(const Doc& doc) const {
  const LetterItem& item = items_[index_of(doc)];
  TaskRequest request;
  request.kind = RequestKind::Generate;
  request.doc_id = doc.id;
  request.contexts = {item.prompt};
  request.chat_messages = item.chat_messages;
  request.target = item.gold;
  return request;
}

ScoredSample LetterGenTask::score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const {
  require_texts(*this, request, output);
  const LetterItem& item = items_[index_of(doc)];
  ScoredSample scored;
  scored.filtered = Json::array();
  double correct = 0;
  for (const auto& text : output.texts) {
    const std::string letter = first_option_letter(text, options_);
    scored.filtered.push_back(letter);
    correct += letter == item.gold ? 1.0 : 0.0;
  }
  scored.metrics["acc"] = correct / static_cast<double>(output.texts.size());
  return scored;
}

std::string lettered_options(const std::vector<std::string>& choices) {
  std::string out;
  for (size_t i = 0; i < choices.size(); ++i) out += std::string(1, static_cast<char>('A' + i)) + ". " + choices[i] + "\n";
  return out;
}

namespace {

// The loglik task of the same benchmark, loaded without shots and without a limit, so the
// generative variant reads the same records the same way.
std::unique_ptr<ChoiceTask> source_task(const std::string& source, const TaskOptions& options) {
  TaskOptions plain = options;
  plain.limit.reset();
  plain.num_fewshot = 0;
  std::unique_ptr<Task> task = make_task(source, plain);
  auto* choice = dynamic_cast<ChoiceTask*>(task.get());
  if (!choice) throw std::logic_error(source + " is not a multiple-choice task");
  task.release();
  return std::unique_ptr<ChoiceTask>(choice);
}

std::unique_ptr<Task> make_arc_gen(const std::string& name, const std::string& source, const TaskOptions& options) {
  auto from = source_task(source, options);
  auto task = std::make_unique<LetterGenTask>(name, "ABCD");
  for (const auto& file : from->data_files()) task->add_file(file);
  for (size_t i = 0; i < from->docs().size(); ++i) {
    const ChoiceItem& item = from->item_at(i);
    if (item.choices.size() != 4) continue;
    const Doc& doc = from->docs()[i];
    const std::string stem = doc.fields["question"]["stem"].get<std::string>();
    task->add(doc, {"Question: " + stem + "\n" + lettered_options(item.choices) + "Answer:",
                    std::string(1, static_cast<char>('A' + item.gold))});
  }
  task->finish(options);
  return task;
}

std::unique_ptr<Task> make_hellaswag_gen(const std::string& name, const TaskOptions& options) {
  auto from = source_task("hellaswag", options);
  auto task = std::make_unique<LetterGenTask>(name, "ABCD");
  for (const auto& file : from->data_files()) task->add_file(file);
  for (size_t i = 0; i < from->docs().size(); ++i) {
    const ChoiceItem& item = from->item_at(i);
    // item.text is lm-eval's preprocessed "{activity_label}: {ctx}".
    const size_t colon = item.text.find(": ");
    const std::string ctx = colon == std::string::npos ? item.text : item.text.substr(colon + 2);
    task->add(from->docs()[i], {ctx + "\nQuestion: Which ending makes the most sense?\n" + lettered_options(item.choices) +
                                    "You may choose from 'A', 'B', 'C', 'D'.\nAnswer:",
                                std::string(1, static_cast<char>('A' + item.gold))});
  }
  task->finish(options);
  return task;
}

}  // namespace

std::unique_ptr<Task> make_letter_gen_task(const std::string& name, const TaskOptions& options) {
  if (name != "arc_challenge_gen" && name != "arc_easy_gen" && name != "hellaswag_gen") return nullptr;
  if (options.num_fewshot.value_or(0) != 0) throw UserError(name + ": the OpenCompass prompt is 0-shot");
  if (name == "arc_challenge_gen") return make_arc_gen(name, "arc_challenge", options);
  if (name == "arc_easy_gen") return make_arc_gen(name, "arc_easy", options);
  if (name == "hellaswag_gen") return make_hellaswag_gen(name, options);
  return nullptr;
}

}  // namespace dlmeval
