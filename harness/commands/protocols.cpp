#include <cstdio>

#include "harness/command_registry.h"
#include "harness/protocol_presets.h"
#include "harness/suite.h"

namespace {

void print_suite(const dlmeval::Suite& s) {
  std::printf("%-34s %-10s %zu pairs%s  %s\n", s.name.c_str(), "suite", s.entries.size(),
              s.paper_table.empty() ? "" : (", table " + s.paper_table).c_str(), s.description.c_str());
  for (const auto& e : s.entries) {
    std::string columns;
    for (const auto& c : e.columns) columns += (columns.empty() ? "" : ",") + c;
    std::printf("    %-22s %-36s %-8s %s\n", e.task.c_str(), e.protocol.c_str(),
                e.num_fewshot ? (std::to_string(*e.num_fewshot) + "-shot").c_str() : "default", columns.c_str());
  }
  for (const auto& [row, why] : s.not_covered) std::printf("    not covered: %s (%s)\n", row.c_str(), why.c_str());
}

const bool registered = dlmeval::register_command(
    {"protocols", "List the protocol presets (generation samplers, choice estimators) and the suites",
     [](CLI::App& app) -> std::function<int()> {
       auto verbose = std::make_shared<bool>(false);
       app.add_flag("--json", *verbose, "Print every preset's full settings and every suite as JSON");
       return [verbose] {
         for (const auto& p : dlmeval::list_protocol_presets()) {
           const char* kind = p.kind == dlmeval::ProtocolKind::Generation ? "generation" : "choice";
           if (*verbose) {
             std::printf("%s\n", p.protocol.to_json().dump().c_str());
           } else {
             std::printf("%-34s %-10s %s  %s\n", p.protocol.name.c_str(), kind, p.protocol.fingerprint().c_str(),
                         p.description.c_str());
           }
         }
         for (const auto& s : dlmeval::list_suites()) {
           if (*verbose) {
             std::printf("%s\n", s.to_json().dump().c_str());
           } else {
             print_suite(s);
           }
         }
         return 0;
       };
     }});

}  // namespace
