#pragma once
// The machine a run ran on, for its manifest: CPU model and cores, the device and its name, GPU
// count, LibTorch version, compute dtype and threads. `compare` notes when two runs' costs come
// from machines that differ in any of these.
#include "harness/core/json_io.h"

namespace dlmeval {

// `runner_description` is Runner::describe() (device, device_name, cuda_devices, libtorch, dtype, threads).
Json machine_description(const Json& runner_description);

}  // namespace dlmeval
