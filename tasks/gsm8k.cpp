// GSM8K in three prompt styles:
//  * gsm8k:             lm-eval `gsm8k` (v3.0): "Question: ...\nAnswer:", 5 shots drawn from the train
//                       split with lm-eval's seeded sampler, full worked answers as targets.
//  * gsm8k_cot:         lm-eval `gsm8k_cot` (v3.0): the 8 fixed chain-of-thought exemplars of Wei et al.
//                       (2022), "Q: ...\nA:", answers ending "The answer is N.".
//  * gsm8k_opencompass: OpenCompass `gsm8k_gen_1d7fe4` (its default gsm8k_gen): 4 fixed exemplars,
//                       "Question: ...\nLet's think step by step\nAnswer:", rounds joined by "\n" as
//                       OpenCompass does for a base model without a meta template.
#include <re2/re2.h>

#include "harness/core/error.h"
#include "scorers/number_extraction.h"
#include "tasks/data_files.h"
#include "tasks/families.h"
#include "tasks/task_base.h"
#include "tasks/text_util.h"

namespace dlmeval {
namespace {

enum class Style { LmEval, Cot, OpenCompass };

struct Exemplar {
  const char* question;
  const char* answer;
};

// Wei et al. (2022), chain-of-thought exemplars for GSM8K, as lm-eval's gsm8k-cot.yaml holds them.
const Exemplar kCotExemplars[] = {
    {"There are 15 trees in the grove. Grove workers will plant trees in the grove today. After they are done, "
     "there will be 21 trees. How many trees did the grove workers plant today?",
     "There are 15 trees originally. Then there were 21 trees after some more were planted. So there must have "
     "been 21 - 15 = 6. The answer is 6."},
    {"If there are 3 cars in the parking lot and 2 more cars arrive, how many cars are in the parking lot?",
     "There are originally 3 cars. 2 more cars arrive. 3 + 2 = 5. The answer is 5."},
    {"Leah had 32 chocolates and her sister had 42. If they ate 35, how many pieces do they have left in total?",
     "Originally, Leah had 32 chocolates. Her sister had 42. So in total they had 32 + 42 = 74. After eating 35, "
     "they had 74 - 35 = 39. The answer is 39."},
    {"Jason had 20 lollipops. He gave Denny some lollipops. Now Jason has 12 lollipops. How many lollipops did "
     "Jason give to Denny?",
     "Jason started with 20 lollipops. Then he had 12 after giving some to Denny. So he gave Denny 20 - 12 = 8. "
     "The answer is 8."},
    {"Shawn has five toys. For Christmas, he got two toys each from his mom and dad. How many toys does he have "
     "now?",
     "Shawn started with 5 toys. If he got 2 toys each from his mom and dad, then that is 4 more toys. 5 + 4 = 9. "
     "The answer is 9."},
    {"There were nine computers in the server room. Five more computers were installed each day, from monday to "
     "thursday. How many computers are now in the server room?",
     "There were originally 9 computers. For each of 4 days, 5 more computers were added. So 5 * 4 = 20 computers "
     "were added. 9 + 20 is 29. The answer is 29."},
    {"Michael had 58 golf balls. On tuesday, he lost 23 golf balls. On wednesday, he lost 2 more. How many golf "
     "balls did he have at the end of wednesday?",
     "Michael started with 58 golf balls. After losing 23 on tuesday, he had 58 - 23 = 35. After losing 2 more, "
     "he had 35 - 2 = 33 golf balls. The answer is 33."},
    {"Olivia has $23. She bought five bagels for $3 each. How much money does she have left?",
     "Olivia had 23 dollars. 5 bagels for 3 dollars each will be 5 x 3 = 15 dollars. So she has 23 - 15 dollars "
     "left. 23 - 15 is 8. The answer is 8."},
};

// OpenCompass configs/datasets/gsm8k/gsm8k_gen_1d7fe4.py, the four HUMAN/BOT rounds.
const Exemplar kOpenCompassExemplars[] = {
    {"Angelo and Melanie want to plan how many hours over the next week they should study together for their "
     "test next week. They have 2 chapters of their textbook to study and 4 worksheets to memorize. They figure "
     "out that they should dedicate 3 hours to each chapter of their textbook and 1.5 hours for each worksheet. "
     "If they plan to study no more than 4 hours each day, how many days should they plan to study total over "
     "the next week if they take a 10-minute break every hour, include 3 10-minute snack breaks each day, and 30 "
     "minutes for lunch each day?",
     "Angelo and Melanie think they should dedicate 3 hours to each of the 2 chapters, 3 hours x 2 chapters = 6 "
     "hours total.\nFor the worksheets they plan to dedicate 1.5 hours for each worksheet, 1.5 hours x 4 "
     "worksheets = 6 hours total.\nAngelo and Melanie need to start with planning 12 hours to study, at 4 hours a "
     "day, 12 / 4 = 3 days.\nHowever, they need to include time for breaks and lunch. Every hour they want to "
     "include a 10-minute break, so 12 total hours x 10 minutes = 120 extra minutes for breaks.\nThey also want "
     "to include 3 10-minute snack breaks, 3 x 10 minutes = 30 minutes.\nAnd they want to include 30 minutes for "
     "lunch each day, so 120 minutes for breaks + 30 minutes for snack breaks + 30 minutes for lunch = 180 "
     "minutes, or 180 / 60 minutes per hour = 3 extra hours.\nSo Angelo and Melanie want to plan 12 hours to "
     "study + 3 hours of breaks = 15 hours total.\nThey want to study no more than 4 hours each day, 15 hours / 4 "
     "hours each day = 3.75\nThey will need to plan to study 4 days to allow for all the time they need.\nThe "
     "answer is 4\n"},
    {"Mark's basketball team scores 25 2 pointers, 8 3 pointers and 10 free throws.  Their opponents score double "
     "the 2 pointers but half the 3 pointers and free throws.  What's the total number of points scored by both "
     "teams added together?",
     "Mark's team scores 25 2 pointers, meaning they scored 25*2= 50 points in 2 pointers.\nHis team also scores 6 "
     "3 pointers, meaning they scored 8*3= 24 points in 3 pointers\nThey scored 10 free throws, and free throws "
     "count as one point so they scored 10*1=10 points in free throws.\nAll together his team scored 50+24+10= 84 "
     "points\nMark's opponents scored double his team's number of 2 pointers, meaning they scored 50*2=100 points "
     "in 2 pointers.\nHis opponents scored half his team's number of 3 pointers, meaning they scored 24/2= 12 "
     "points in 3 pointers.\nThey also scored half Mark's team's points in free throws, meaning they scored "
     "10/2=5 points in free throws.\nAll together Mark's opponents scored 100+12+5=117 points\nThe total score for "
     "the game is both team's scores added together, so it is 84+117=201 points\nThe answer is 201\n"},
    {"Bella has two times as many marbles as frisbees. She also has 20 more frisbees than deck cards. If she buys "
     "2/5 times more of each item, what would be the total number of the items she will have if she currently "
     "has 60 marbles?",
     "When Bella buys 2/5 times more marbles, she'll have increased the number of marbles by 2/5*60 = 24\nThe "
     "total number of marbles she'll have is 60+24 = 84\nIf Bella currently has 60 marbles, and she has two times "
     "as many marbles as frisbees, she has 60/2 = 30 frisbees.\nIf Bella buys 2/5 times more frisbees, she'll "
     "have 2/5*30 = 12 more frisbees.\nThe total number of frisbees she'll have will increase to 30+12 = 42\nBella "
     "also has 20 more frisbees than deck cards, meaning she has 30-20 = 10 deck cards\nIf she buys 2/5 times "
     "more deck cards, she'll have 2/5*10 = 4 more deck cards.\nThe total number of deck cards she'll have is "
     "10+4 = 14\nTogether, Bella will have a total of 14+42+84 = 140 items\nThe answer is 140\n"},
    {"A group of 4 fruit baskets contains 9 apples, 15 oranges, and 14 bananas in the first three baskets and 2 "
     "less of each fruit in the fourth basket. How many fruits are there?",
     "For the first three baskets, the number of apples and oranges in one basket is 9+15=24\nIn total, together "
     "with bananas, the number of fruits in one basket is 24+14=38 for the first three baskets.\nSince there are "
     "three baskets each having 38 fruits, there are 3*38=114 fruits in the first three baskets.\nThe number of "
     "apples in the fourth basket is 9-2=7\nThere are also 15-2=13 oranges in the fourth basket\nThe combined "
     "number of oranges and apples in the fourth basket is 13+7=20\nThe fourth basket also contains 14-2=12 "
     "bananas.\nIn total, the fourth basket has 20+12=32 fruits.\nThe four baskets together have 32+114=146 "
     "fruits.\nThe answer is 146\n"},
};

std::string field_string(const std::string& task, const Json& record, const char* key, size_t line) {
  if (!record.is_object() || !record.contains(key) || !record[key].is_string()) {
    throw UserError(task + ": record " + std::to_string(line) + ": missing string field \"" + key + "\"");
  }
  return record[key].get<std::string>();
}

// The gold number: the text after the last "####" of the reference answer.
std::string gold_number(const std::string& answer) {
  size_t pos = answer.rfind("####");
  return trim(pos == std::string::npos ? answer : answer.substr(pos + 4));
}

class Gsm8kTask : public BasicTask {
 public:
  Gsm8kTask(const std::string& name, Style style, const TaskOptions& options)
      : BasicTask(name, "1.0", RequestKind::Generate), style_(style) {
    const std::string test_path = locate_data_file(name, options.data_dir, "gsm8k/test.jsonl");
    files_.push_back(test_path);
    size_t line = 0;
    for (const Json& record : read_jsonl_records(test_path)) {
      field_string(name, record, "question", line + 1);
      field_string(name, record, "answer", line + 1);
      docs_.push_back(Doc{std::to_string(line), record});
      ++line;
    }
    switch (style_) {
      case Style::LmEval: {
        const std::string train_path = locate_data_file(name, options.data_dir, "gsm8k/train.jsonl");
        files_.push_back(train_path);
        const std::vector<Json> train = read_jsonl_records(train_path);
        finish_docs(options);
        const int k = shots(options, 5, train.size());
        for (const auto& picks : draw_fewshot(train.size(), docs_.size(), k, options.fewshot_seed, nullptr)) {
          std::string prefix;
          for (size_t index : picks) {
            prefix += "Question: " + field_string(name, train[index], "question", index + 1) + "\nAnswer: " +
                      field_string(name, train[index], "answer", index + 1) + "\n\n";
          }
          prefixes_.push_back(std::move(prefix));
        }
        break;
      }
      case Style::Cot: {
        finish_docs(options);
        const int k = shots(options, 8, std::size(kCotExemplars));
        std::string prefix;
        for (int i = 0; i < k; ++i) {
          prefix += std::string("Q: ") + kCotExemplars[i].question + "\nA: " + kCotExemplars[i].answer + "\n\n";
        }
        prefixes_.assign(docs_.size(), prefix);
        break;
      }
      case Style::OpenCompass: {
        finish_docs(options);
        const int k = shots(options, 4, std::size(kOpenCompassExemplars));
        std::string prefix;
        for (int i = 0; i < k; ++i) {
          prefix += std::string("Question: ") + kOpenCompassExemplars[i].question +
                    "\nLet's think step by step\nAnswer:\n" + kOpenCompassExemplars[i].answer + "\n";
        }
        prefixes_.assign(docs_.size(), prefix);
        break;
      }
    }
  }

  TaskRequest build_request(const Doc& doc) const override {
    TaskRequest request;
    request.kind = RequestKind::Generate;
    request.doc_id = doc.id;
    const std::string question = doc.fields.at("question").get<std::string>();
    switch (style_) {
      case Style::LmEval:
        request.contexts = {prefixes_[index_of(doc)] + "Question: " + question + "\nAnswer:"};
        request.stop_strings = {"Question:", "</s>", "<|im_end|>"};
        break;
      case Style::Cot:
        request.contexts = {prefixes_[index_of(doc)] + "Q: " + question + "\nA:"};
        request.stop_strings = {"Q:", "</s>", "<|im_end|>"};
        break;
      case Style::OpenCompass:
        request.contexts = {prefixes_[index_of(doc)] + "Question: " + question + "\nLet's think step by step\nAnswer:"};
        request.stop_strings = {"Question:", "</s>", "<|im_end|>"};
        break;
    }
    request.target = gold_number(doc.fields.at("answer").get<std::string>());
    return request;
  }

  ScoredSample score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const override {
    require_texts(*this, request, output);
    const std::string gold = gold_number(doc.fields.at("answer").get<std::string>());
    return score_numeric_answers(request, output, gold, [this](const std::string& text) { return extract_strict(text); });
  }

  std::vector<std::string> metric_names() const override { return numeric_answer_metric_names(); }

 private:
  // lm-eval's strict filter: "#### N" for the plain prompt, "The answer is N." for the CoT prompts.
  std::optional<std::string> extract_strict(const std::string& text) const {
    if (style_ == Style::LmEval) return extract_gsm8k_strict(text);
    static const RE2 answer_is(R"(The answer is (\-?[0-9\.\,]+).)");
    std::string number;
    if (RE2::PartialMatch(text, answer_is, &number)) return number;
    return std::nullopt;
  }

  Style style_;
  std::vector<std::string> prefixes_;  // few-shot block per doc, in docs() order
};

}  // namespace

std::unique_ptr<Task> make_gsm8k_task(const std::string& name, const TaskOptions& options) {
  if (name == "gsm8k") return std::make_unique<Gsm8kTask>(name, Style::LmEval, options);
  if (name == "gsm8k_cot") return std::make_unique<Gsm8kTask>(name, Style::Cot, options);
  if (name == "gsm8k_opencompass") return std::make_unique<Gsm8kTask>(name, Style::OpenCompass, options);
  return nullptr;
}

}  // namespace dlmeval
