#include "harness/machine_info.h"

#include <fstream>
#include <string>
#include <thread>

namespace dlmeval {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    std::string name = line.substr(colon + 1);
    name.erase(0, name.find_first_not_of(' '));
    return name;
  }
  return "unknown";
}

}  // namespace

Json machine_description(const Json& runner) {
  Json machine = {{"cpu_model", cpu_model()}, {"cpu_cores", std::thread::hardware_concurrency()}};
  for (const char* key : {"device", "device_name", "cuda_devices", "libtorch", "dtype", "threads"})
    if (runner.contains(key)) machine[key] = runner[key];
  return machine;
}

}  // namespace dlmeval
