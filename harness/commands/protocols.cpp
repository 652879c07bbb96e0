#include <cstdio>

#include "harness/command_registry.h"
#include "harness/protocol_presets.h"

namespace {

const bool registered = dlmeval::register_command(
    {"protocols", "List the protocol presets (generation samplers and choice estimators)",
     [](CLI::App& app) -> std::function<int()> {
       auto verbose = std::make_shared<bool>(false);
       app.add_flag("--json", *verbose, "Print every preset's full settings as JSON");
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
         return 0;
       };
     }});

}  // namespace
