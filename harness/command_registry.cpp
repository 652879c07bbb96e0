#include "harness/command_registry.h"

#include <algorithm>

namespace dlmeval {
namespace {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace

bool register_command(Command command) {
  registry().push_back(std::move(command));
  std::sort(registry().begin(), registry().end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
  return true;
}

const std::vector<Command>& registered_commands() { return registry(); }

namespace {
std::vector<std::string>& stored_command_line() {
  static std::vector<std::string> line;
  return line;
}
}  // namespace

void set_command_line(int argc, char** argv) { stored_command_line().assign(argv + 1, argv + argc); }
const std::vector<std::string>& command_line() { return stored_command_line(); }

}  // namespace dlmeval
