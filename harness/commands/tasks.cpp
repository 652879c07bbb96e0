// dlmeval tasks: lists every task name with a one-line description.
#include <cstdio>
#include <memory>

#include "harness/command_registry.h"
#include "tasks/task.h"

namespace dlmeval {
namespace {

const bool registered = register_command({"tasks", "List the available tasks",
                                          [](CLI::App& app) -> std::function<int()> {
                                            auto files = std::make_shared<std::vector<std::string>>();
                                            app.add_option("--task-file", *files,
                                                           "Also list the tasks of this task file or folder (repeatable)");
                                            return [files] {
                                              for (const auto& [name, description] : list_tasks(*files)) {
                                                std::printf("%-50s %s\n", name.c_str(), description.c_str());
                                              }
                                              std::printf("\nAlso accepted: lm-eval's names bbh_cot_fewshot and "
                                                          "bbh_cot_fewshot_<subtask> for bbh and bbh_<subtask>\n");
                                              return 0;
                                            };
                                          }});

}  // namespace
}  // namespace dlmeval
