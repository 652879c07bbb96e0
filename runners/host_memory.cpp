#include "runners/host_memory.h"

#include <cstdlib>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dlmeval {

std::string keep_freed_host_memory() {
#if defined(__GLIBC__)
  static std::once_flag once;
  static std::string what;
  std::call_once(once, [] {
    if (std::getenv("MALLOC_TRIM_THRESHOLD_") || std::getenv("MALLOC_MMAP_THRESHOLD_") ||
        std::getenv("GLIBC_TUNABLES")) {
      what = "glibc: thresholds from the environment";
      return;
    }
    // 32 MiB is glibc's largest mmap threshold on 64-bit: blocks below it come from the heap and
    // are reused. Setting it also stops glibc's own threshold adaptation, so the behaviour is
    // the same from the first step. The heap is trimmed only when 1 GiB lies free at its top.
    constexpr int kMmapThreshold = 32 << 20;
    constexpr int kTrimThreshold = 1 << 30;
    const bool ok = mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
    what = ok ? "glibc: mmap threshold 32 MiB, trim threshold 1 GiB" : "glibc: defaults (mallopt refused)";
  });
  return what;
#else
  return "not glibc: allocator defaults";
#endif
}

}  // namespace dlmeval
