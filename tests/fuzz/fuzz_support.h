#pragma once
// What every fuzz target shares: inputs as files (the readers under test take paths), and the
// rule that a bad input may only end in a UserError. Any other exception escaping is a finding:
// it would reach the user as "internal error", so the target aborts and libFuzzer keeps the input.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "harness/core/error.h"
#include "harness/core/json_io.h"

namespace dlmeval::fuzz {

// The input as a file without touching the disk: one memfd per process, rewritten per input.
inline std::string as_file(const uint8_t* data, size_t size) {
  static int fd = memfd_create("dlmeval-fuzz", 0);
  if (fd < 0 || ftruncate(fd, 0) != 0 || (size > 0 && pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)))
    std::abort();
  return "/proc/self/fd/" + std::to_string(fd);
}

// Runs `work`; UserError is the one allowed failure.
template <class Work>
void only_user_errors(Work&& work) {
  try {
    work();
  } catch (const UserError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "escaped exception: %s\n", e.what());
    std::abort();
  }
}

// JSON the target can work on, or nothing: a parse error is the JSON library's job, not ours.
inline bool parse_json(const uint8_t* data, size_t size, Json& out) {
  out = Json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  return !out.is_discarded();
}

// Shared test data (goldens, benchmark files) the targets read once: $DLMEVAL_SHARED_DIR, else the
// path the build was configured with.
inline std::string shared_dir() {
  const char* env = std::getenv("DLMEVAL_SHARED_DIR");
  return env != nullptr ? env : DLMEVAL_SHARED_DIR;
}

}  // namespace dlmeval::fuzz
