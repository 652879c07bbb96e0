// Multiple choice answered by generation (OpenCompass `_gen` formats) and the option-letter
// extraction those formats are scored with.
#include <gtest/gtest.h>

#include "scorers/option_letter.h"
#include "tasks/task.h"

namespace dlmeval {
namespace {

TEST(OptionLetter, FollowsTheReferenceCascade) {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"D", "D"},
      {"B\n", "B"},
      {" C", "C"},
      {"The answer is C.", "C"},
      {"the correct answer is option B because", "B"},
      {"答案是 C", "C"},
      {"答案：A", "A"},
      {"Answer: D", "D"},
      {"so it is B\n", "B"},
      {"Both A and C look right", "A"},
      // The first pattern that matches decides; within its match the options' order, not the text's.
      {"1.D/B", "B"},
      // The cushion: any capital option letter anywhere.
      {"I think (B) is right", "B"},
      {"none of these", ""},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(first_option_letter(c.text, "ABCD"), c.expected) << c.text;
  // Other option sets are honoured.
  EXPECT_EQ(first_option_letter("The answer is E", "ABCDE"), "E");
  EXPECT_EQ(first_option_letter("The answer is E", "ABCD"), "");
}

TaskOptions options_with_limit(size_t limit) {
  TaskOptions o;
  o.data_dir = std::string(DLMEVAL_SHARED_DIR) + "/data";
  o.limit = limit;
  return o;
}

TEST(LetterGenTasks, HellaSwagPromptIsOpenCompassHellaswagGen6faab5) {
  auto task = make_task("hellaswag_gen", options_with_limit(2));
  ASSERT_EQ(task->kind(), RequestKind::Generate);
  const TaskRequest r = task->build_request(task->docs()[0]);
  // OpenCompass's own rendering of this question starts "A man is sitting on a roof. He"; the
  // shipped text export keeps ctx_b's lower case (tasks/README.md).
  EXPECT_EQ(r.contexts.at(0),
            "A man is sitting on a roof. he\nQuestion: Which ending makes the most sense?\n"
            "A. is using wrap to wrap a pair of skis.\nB. is ripping level tiles off.\n"
            "C. is holding a rubik's cube.\nD. starts pulling up roofing on a roof.\n"
            "You may choose from 'A', 'B', 'C', 'D'.\nAnswer:");
  EXPECT_TRUE(r.stop_strings.empty());
  EXPECT_EQ(r.target, "D");
  TaskOutput right{{"D"}, {}}, wrong{{"The answer is B."}, {}};
  EXPECT_EQ(task->score(task->docs()[0], r, right).metrics.at("acc"), 1.0);
  auto scored = task->score(task->docs()[0], r, wrong);
  EXPECT_EQ(scored.metrics.at("acc"), 0.0);
  EXPECT_EQ(scored.filtered, Json::array({"B"}));
}

TEST(LetterGenTasks, ArcKeepsFourOptionQuestionsLikeOpenCompassArcDataset) {
  TaskOptions all = options_with_limit(0);
  all.limit.reset();
  auto gen = make_task("arc_challenge_gen", all);
  auto loglik = make_task("arc_challenge", all);
  EXPECT_EQ(loglik->docs().size(), 1172u);
  EXPECT_EQ(gen->docs().size(), 1165u);  // 7 questions have 3 or 5 options
  const TaskRequest r = gen->build_request(gen->docs()[0]);
  const std::string& prompt = r.contexts.at(0);
  EXPECT_EQ(prompt.rfind("Question: ", 0), 0u) << prompt;
  EXPECT_NE(prompt.find("\nA. "), std::string::npos);
  EXPECT_NE(prompt.find("\nD. "), std::string::npos);
  EXPECT_EQ(prompt.substr(prompt.size() - 8), "\nAnswer:");
  EXPECT_TRUE(r.target == "A" || r.target == "B" || r.target == "C" || r.target == "D");
  // Shots are not part of the format.
  TaskOptions shots = options_with_limit(1);
  shots.num_fewshot = 3;
  EXPECT_THROW(make_task("arc_challenge_gen", shots), std::exception);
}

}  // namespace
}  // namespace dlmeval

namespace dlmeval {
namespace {

TEST(LetterGenTasks, MmluGenShotsAreRoundsInPlainTextAndChatTurnsUnderAChatTemplate) {
  auto task = make_task("mmlu_gen", options_with_limit(1));
  ASSERT_EQ(task->docs().size(), 57u);  // --limit applies per subject, as for mmlu
  const TaskRequest r = task->build_request(task->docs()[0]);
  const std::string hint =
      "There is a single choice question about abstract algebra. Answer the question by replying A, B, C or D.";
  const Json& turns = r.chat_messages;
  ASSERT_EQ(turns.size(), 11u);
  std::string joined;
  for (size_t i = 0; i < turns.size(); ++i) {
    EXPECT_EQ(turns[i]["role"], i % 2 == 0 ? "user" : "assistant") << i;
    joined += turns[i]["content"].get<std::string>();
  }
  // The plain rendering is the rounds concatenated, as OpenCompass renders them without a chat template.
  EXPECT_EQ(r.contexts.at(0), joined);
  EXPECT_EQ(turns[0]["content"].get<std::string>().rfind(hint + "\nQuestion: ", 0), 0u);
  EXPECT_EQ(turns[0]["content"].get<std::string>().substr(turns[0]["content"].get<std::string>().size() - 9), "\nAnswer: ");
  for (size_t i = 1; i < 10; i += 2) {
    const std::string answer = turns[i]["content"];
    EXPECT_TRUE(answer.size() == 2 && answer[0] >= 'A' && answer[0] <= 'D' && answer[1] == '\n') << answer;
  }
  EXPECT_EQ(turns[10]["content"],
            hint + "\nQ: Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\n"
                   "A. 0\nB. 4\nC. 2\nD. 6\nA: ");
  EXPECT_EQ(r.target, "B");
}

}  // namespace
}  // namespace dlmeval
