#pragma once
// Runs untrusted Python programs (model-written code is hostile) and reports whether they pass.
//
// Isolation (default): each program runs in its own child process inside bubblewrap (bwrap) with
// every namespace unshared (no network, private pid/ipc/uts/user/cgroup), a read-only view of
// /usr, /lib*, /bin, /sbin and a minimal /etc, a private tmpfs /tmp used as the working directory
// and $HOME (at most 128 MiB, the same cap as RLIMIT_FSIZE, since tmpfs pages are host memory),
// nothing of the host's working tree or home reachable, --die-with-parent and --new-session.
// Inside, the program runs as an unprivileged uid, so RLIMIT_NPROC caps fork bombs.
// Before exec the child sets RLIMIT_CPU, RLIMIT_AS, RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_CORE=0;
// the parent enforces the wall-clock limit and the output cap by killing the child's whole
// process group (and bwrap's pid namespace dies with its init).
//
// Pass rule: after the program the sandbox appends code that writes a nonce line straight to
// fd 1; the nonce is a fresh random token per run. A program passes only if it exits 0 AND its
// stdout ends with that line, so exiting early (exit(0), sys.exit(0), os._exit(0)) or printing a
// guessed marker fails.
//
// When bwrap cannot start (probed once per process, cached), running throws dlmeval::UserError
// unless `allow_unsandboxed` is set; then a weaker process-only mode is used (rlimits, process
// group, a fresh temporary working directory, the dropped uid when root; no namespaces: the
// network is reachable and the program can read whatever that uid may read).
//
// The interpreter is /usr/bin/python3 run with -I -S -B (isolated, no site, no .pyc writes); the
// program text goes in through stdin, which Python reads to the end before running it, so the
// program cannot read the nonce back from a file. It still could from its own code object; the
// marker guards against early exits and guessed markers, not code written to attack this harness.
//
// Running as root (the usual CI case), the child drops to a uid of its own (one per concurrent
// run, from a range no account uses) before starting bwrap, so RLIMIT_NPROC counts only that
// run's processes and the program cannot touch root-owned files even in the fallback mode.
// Not root, the limit is the caller's current process count plus max_processes.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

struct SandboxLimits {
  double cpu_seconds = 10;                // RLIMIT_CPU (whole seconds, rounded up)
  double wall_seconds = 20;               // wall clock, from start to kill
  int64_t memory_bytes = int64_t{1} << 30;  // RLIMIT_AS of the interpreter
  int max_processes = 64;                 // RLIMIT_NPROC for the sandbox uid
  int64_t max_output_bytes = int64_t{1} << 20;  // stdout + stderr bytes read before the kill
  bool allow_unsandboxed = false;         // fall back to process-only isolation when bwrap fails
  std::string bwrap_path;                 // empty: `bwrap` looked up on PATH
  std::string python_path = "/usr/bin/python3";
};

struct SandboxResult {
  bool passed = false;
  // "passed", "failed" (non-zero exit, early exit or missing marker), "timeout" (wall or CPU),
  // "memory" (MemoryError or killed by the address-space limit), "output_limit", "crashed"
  // (killed by another signal), "sandbox_unavailable" (could not start the child at all).
  std::string status;
  int exit_code = -1;       // exit status, or 128 + signal when killed by a signal
  std::string stdout_tail;  // last few KiB of each stream, nonce line removed
  std::string stderr_tail;
  double wall_seconds = 0;
};

// Runs one program under `limits`. Throws UserError when bwrap is unavailable and
// limits.allow_unsandboxed is false.
SandboxResult run_python_program(const std::string& program, const SandboxLimits& limits);

// Runs every program with `workers` parallel threads (at least 1); results keep the input order.
std::vector<SandboxResult> run_python_programs(const std::vector<std::string>& programs,
                                               const SandboxLimits& limits, int workers);
// Adds the statuses of a code sample's filtered output ({"status": [...], ...}) to `counts`;
// anything else adds nothing.
void count_program_statuses(const Json& filtered, std::map<std::string, int64_t>& counts);
// "160 passed, 3 failed, 1 timeout": counts per status, in name order ("" when empty).
std::string format_status_counts(const std::map<std::string, int64_t>& counts);

// The same with limits of its own for each program (limits.size() == programs.size()).
std::vector<SandboxResult> run_python_programs(const std::vector<std::string>& programs,
                                               const std::vector<SandboxLimits>& limits, int workers);

// Whether bubblewrap at `bwrap_path` (empty: from PATH) can start a sandbox on this machine
// (probed once per path, cached), and if not, why.
bool sandbox_available(const std::string& bwrap_path = "", std::string* reason = nullptr);

}  // namespace dlmeval
