#pragma once
// Multiple choice answered by generation, as OpenCompass's `_gen` configs: the prompt lists the
// options as "A. text" lines, the model writes freely (no stop strings: the protocol's length and
// EOS end it), first_option_postprocess reads the letter, accuracy is letter == gold.
#include <string>
#include <vector>

#include "tasks/task_base.h"

namespace dlmeval {

struct LetterItem {
  std::string prompt;                   // plain-text rendering
  std::string gold;                     // "A".."D"
  Json chat_messages = Json::array();   // few-shot rounds as chat turns (TaskRequest::chat_messages)
};

class LetterGenTask final : public BasicTask {
 public:
  LetterGenTask(std::string name, std::string options);

  void add(Doc doc, LetterItem item);
  void add_file(const std::string& path) { files_.push_back(path); }
  // Keeps the first options.limit docs; call once after the last add().
  void finish(const TaskOptions& options);

  TaskRequest build_request(const Doc& doc) const override;
  ScoredSample score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const override;
  std::vector<std::string> metric_names() const override { return {"acc"}; }

 private:
  std::string options_;
  std::vector<LetterItem> items_;
};

// "A. first\nB. second\n..." for the options in order.
std::string lettered_options(const std::vector<std::string>& choices);

}  // namespace dlmeval
