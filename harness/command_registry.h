#pragma once
// Subcommands register themselves from their own file (harness/commands/<name>.cpp), so adding a
// command touches no central list.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace dlmeval {

struct Command {
  std::string name;
  std::string help;
  // Adds options to `sub` and returns the action to run once parsing succeeded; the action
  // returns the process exit code.
  std::function<std::function<int()>(CLI::App& sub)> setup;
};

bool register_command(Command command);
const std::vector<Command>& registered_commands();

// The process's arguments (argv[1..]), kept by main for commands that start copies of themselves.
void set_command_line(int argc, char** argv);
const std::vector<std::string>& command_line();

}  // namespace dlmeval
