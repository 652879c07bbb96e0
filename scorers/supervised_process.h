#pragma once
// Starts one child process under resource limits and supervises it: feeds its stdin, reads its
// stdout/stderr up to a byte cap, and kills its whole process group at the wall-clock deadline or
// the cap. Used by the code sandbox; knows nothing about Python or bubblewrap.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dlmeval {

struct ProcessSpec {
  std::string executable;          // absolute path, exec'd directly (no PATH search)
  std::vector<std::string> argv;   // argv[0] included
  std::vector<std::string> env;    // the complete environment, "KEY=value"
  std::string working_dir = "/";
  std::string stdin_data;          // written to the child's stdin, then EOF
  std::optional<uid_t> run_as;     // drop to this uid/gid (and no supplementary groups) before exec
  double wall_seconds = 20;
  int64_t cpu_seconds = 10;        // RLIMIT_CPU soft limit; hard = soft + 1 (SIGXCPU, then SIGKILL)
  int64_t address_space_bytes = 0; // RLIMIT_AS; 0 = unlimited
  int64_t max_processes = 0;       // RLIMIT_NPROC; 0 = unlimited
  int64_t max_file_bytes = 0;      // RLIMIT_FSIZE; 0 = unlimited
  int64_t max_output_bytes = 1 << 20;  // stdout + stderr bytes read before the kill
  size_t tail_bytes = 8192;        // how much of each stream's end to keep
};

struct ProcessOutcome {
  bool started = false;       // false: fork/exec failed; `start_error` says why
  std::string start_error;
  bool wall_timeout = false;
  bool output_capped = false;
  bool exited = false;        // normal exit (exit_code valid)
  int exit_code = -1;
  int term_signal = 0;        // signal that killed the direct child, if any
  double cpu_seconds = 0;     // user + system time of the child and its reaped descendants
  double wall_seconds = 0;
  std::string stdout_tail;
  std::string stderr_tail;
};

// Runs the process to completion (or kill). Never throws for the child's behaviour; throws
// std::system_error only when the parent cannot create pipes.
ProcessOutcome run_supervised(const ProcessSpec& spec);

}  // namespace dlmeval
