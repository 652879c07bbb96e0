// dlmeval tasks: lists every task name with a one-line description.
#include <cstdio>

#include "harness/command_registry.h"
#include "tasks/task.h"

namespace dlmeval {
namespace {

const bool registered = register_command({"tasks", "List the available tasks",
                                          [](CLI::App&) -> std::function<int()> {
                                            return [] {
                                              for (const auto& [name, description] : list_tasks()) {
                                                std::printf("%-50s %s\n", name.c_str(), description.c_str());
                                              }
                                              std::printf("\nAlso accepted: lm-eval's names bbh_cot_fewshot and "
                                                          "bbh_cot_fewshot_<subtask> for bbh and bbh_<subtask>\n");
                                              return 0;
                                            };
                                          }});

}  // namespace
}  // namespace dlmeval
