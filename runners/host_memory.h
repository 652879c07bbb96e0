// How the process's C allocator keeps freed memory: a runner frees and reallocates tensors of the
// same sizes every step, and glibc's defaults hand those pages back to the kernel and fault them in
// again (over a million minor page faults for one tiny-model generation).
#pragma once

#include <string>

namespace dlmeval {

// Raises glibc's trim and mmap thresholds so freed tensor memory stays in the heap for the next
// step, unless the user set MALLOC_TRIM_THRESHOLD_ / MALLOC_MMAP_THRESHOLD_ (glibc's own
// variables, which then win). Idempotent; a no-op on other C libraries. Returns what it did, for
// the run's machine record.
std::string keep_freed_host_memory();

}  // namespace dlmeval
