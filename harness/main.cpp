#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <exception>
#include <map>

#include "harness/command_registry.h"
#include "harness/core/error.h"

int main(int argc, char** argv) {
  dlmeval::set_command_line(argc, argv);
  CLI::App app{"dlmeval: evaluation harness for masked diffusion language models"};
  app.require_subcommand(1);
  std::map<CLI::App*, std::function<int()>> actions;
  for (const auto& command : dlmeval::registered_commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    actions[sub] = command.setup(*sub);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [sub, action] : actions) {
      if (sub->parsed()) return action();
    }
  } catch (const dlmeval::UserError& e) {
    // One line even when the message quotes a file's content (a tensor name holding a newline).
    std::string line = e.what();
    for (size_t at = line.find_first_of("\r\n"); at != std::string::npos; at = line.find_first_of("\r\n", at + 2))
      line.replace(at, 1, line[at] == '\n' ? "\\n" : "\\r");
    std::fprintf(stderr, "dlmeval: error: %s\n", line.c_str());
    return e.exit_code();
  } catch (const std::exception& e) {
    // LibTorch appends a C++ backtrace of dozens of frames to its messages: one line unless asked.
    const std::string what = e.what();
    const bool full = std::getenv("DLMEVAL_BACKTRACE") != nullptr;
    const std::string line = full ? what : what.substr(0, what.find('\n'));
    std::fprintf(stderr, "dlmeval: internal error: %s%s\n", line.c_str(),
                 !full && line.size() < what.size() ? " (DLMEVAL_BACKTRACE=1 prints the whole message)" : "");
    return 3;
  }
  return 0;
}
