#include "scorers/sandbox.h"

#include <stdexcept>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "harness/core/error.h"
#include "scorers/supervised_process.h"

namespace dlmeval {
namespace {

namespace fs = std::filesystem;

// ---- uids for sandboxed runs ---------------------------------------------------------------
// As root, each concurrent run gets a uid nothing else uses, so RLIMIT_NPROC (counted per real
// uid) bounds that run alone and the program owns no file outside its sandbox. The range is
// offset by our pid so two harness processes on one machine rarely share a uid.
constexpr int kUidSlots = 256;

bool range_is_mapped(const char* map_file, uint64_t lo, uint64_t hi) {
  std::ifstream in(map_file);
  uint64_t inside, outside, count;
  while (in >> inside >> outside >> count)
    if (lo >= inside && hi <= inside + count) return true;
  return false;
}

uid_t uid_base() {
  static const uid_t base = [] {
    uint64_t offset = static_cast<uint64_t>(::getpid() % 4096) * kUidSlots;
    uint64_t wide = (uint64_t{1} << 30) + offset;  // far above any account
    if (range_is_mapped("/proc/self/uid_map", wide, wide + kUidSlots) &&
        range_is_mapped("/proc/self/gid_map", wide, wide + kUidSlots))
      return static_cast<uid_t>(wide);
    // Rootless containers often map only 0..65535; use the top of the regular-user range there.
    return static_cast<uid_t>(40000 + (offset % (20000 - kUidSlots)));
  }();
  return base;
}

class UidSlot {
 public:
  UidSlot() {
    std::unique_lock lock(mutex());
    cv().wait(lock, [] { return in_use().size() < kUidSlots; });
    int& next = cursor();
    while (in_use().count(next)) next = (next + 1) % kUidSlots;
    slot_ = next;
    next = (next + 1) % kUidSlots;  // rotate so a just-freed uid rests before reuse
    in_use()[slot_] = true;
  }
  ~UidSlot() {
    {
      std::lock_guard lock(mutex());
      in_use().erase(slot_);
    }
    cv().notify_one();
  }
  UidSlot(const UidSlot&) = delete;
  UidSlot& operator=(const UidSlot&) = delete;
  uid_t uid() const { return uid_base() + static_cast<uid_t>(slot_); }

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::condition_variable& cv() {
    static std::condition_variable c;
    return c;
  }
  static std::map<int, bool>& in_use() {
    static std::map<int, bool> m;
    return m;
  }
  static int& cursor() {
    static int c = 0;
    return c;
  }
  int slot_ = 0;
};

bool running_as_root() { return ::geteuid() == 0; }

// Not root: RLIMIT_NPROC counts every process of our uid, so the cap sits above what we already run.
int64_t processes_of_uid(uid_t uid) {
  int64_t count = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat st{};
    if (::stat(entry.path().c_str(), &st) == 0 && st.st_uid == uid) ++count;
  }
  return count;
}

// ---- bubblewrap command line --------------------------------------------------------------
std::string find_on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string resolve_bwrap(const std::string& configured) { return find_on_path(configured.empty() ? "bwrap" : configured); }

const std::vector<std::string>& sandbox_env() {
  static const std::vector<std::string> env = {"PATH=/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp", "LANG=C.UTF-8",
                                               "PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1"};
  return env;
}

// tmpfs pages are host memory outside RLIMIT_AS: the private /tmp and each file in it stay small.
int64_t sandbox_file_bytes(const SandboxLimits& limits) {
  return std::clamp<int64_t>(limits.memory_bytes, 1 << 20, int64_t{128} << 20);
}

std::vector<std::string> bwrap_argv(const std::string& bwrap, const SandboxLimits& limits) {
  std::vector<std::string> argv = {bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                                   "--new-session", "--hostname", "sandbox", "--ro-bind", "/usr", "/usr"};
  // Merged-/usr systems have these as symlinks into /usr; older layouts have real directories.
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code ec;
    if (fs::is_symlink(top, ec)) {
      argv.insert(argv.end(), {"--symlink", fs::read_symlink(top, ec).string(), top});
    } else if (fs::is_directory(top, ec)) {
      argv.insert(argv.end(), {"--ro-bind", top, top});
    }
  }
  // A minimal /etc: the loader cache and the time zone; no passwd, hosts or resolver files.
  for (const char* file : {"/etc/ld.so.cache", "/etc/localtime"}) argv.insert(argv.end(), {"--ro-bind-try", file, file});
  int64_t tmp_bytes = sandbox_file_bytes(limits);
  argv.insert(argv.end(), {"--proc", "/proc", "--dev", "/dev", "--size", std::to_string(tmp_bytes), "--tmpfs", "/tmp",
                           "--chdir", "/tmp", "--clearenv"});
  for (const auto& kv : sandbox_env()) {
    size_t eq = kv.find('=');
    argv.insert(argv.end(), {"--setenv", kv.substr(0, eq), kv.substr(eq + 1)});
  }
  argv.push_back("--");
  return argv;
}

std::string random_nonce() {
  std::random_device device;  // a secret, not a result: no seed, on purpose
  std::ostringstream out;
  out << "DLMEVAL-END-";
  for (int i = 0; i < 4; ++i) out << std::hex << device();
  return out.str();
}

// Code run after the program; the marker goes straight to fd 1 so a replaced sys.stdout cannot eat it.
std::string with_end_marker(const std::string& program, const std::string& nonce) {
  return program + "\n\nimport os as _dlmeval_os, sys as _dlmeval_sys\n"
                   "try:\n    _dlmeval_sys.__stdout__.flush()\nexcept Exception:\n    pass\n"
                   "_dlmeval_os.write(1, b'\\n" +
         nonce + "\\n')\n";
}

// ---- one run ------------------------------------------------------------------------------
enum class Mode { kBubblewrap, kProcessOnly };

bool mentions_memory_error(const std::string& stderr_tail) {
  return stderr_tail.find("MemoryError") != std::string::npos ||
         stderr_tail.find("Cannot allocate memory") != std::string::npos ||
         stderr_tail.find("out of memory") != std::string::npos;
}

SandboxResult run_once(const std::string& program, const SandboxLimits& limits, Mode mode, const std::string& bwrap) {
  std::optional<UidSlot> slot;
  if (running_as_root()) slot.emplace();

  ProcessSpec spec;
  std::string nonce = random_nonce();
  spec.stdin_data = with_end_marker(program, nonce);
  spec.wall_seconds = limits.wall_seconds;
  spec.cpu_seconds = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(limits.cpu_seconds)));
  spec.address_space_bytes = limits.memory_bytes;
  spec.max_file_bytes = sandbox_file_bytes(limits);
  spec.max_output_bytes = limits.max_output_bytes;
  if (slot) {
    spec.run_as = slot->uid();
    spec.max_processes = limits.max_processes;
  } else {
    spec.max_processes = processes_of_uid(::getuid()) + limits.max_processes;
  }
  std::vector<std::string> python = {limits.python_path, "-I", "-S", "-B", "-"};

  fs::path workdir;
  if (mode == Mode::kBubblewrap) {
    spec.executable = bwrap;
    spec.argv = bwrap_argv(bwrap, limits);
    spec.argv.insert(spec.argv.end(), python.begin(), python.end());
    spec.env = {"PATH=/usr/bin:/bin"};
  } else {
    std::string pattern = (fs::temp_directory_path() / "dlmeval-sandbox-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw UserError("sandbox: cannot create a working directory under " + fs::temp_directory_path().string());
    workdir = pattern;
    if (spec.run_as && ::chown(workdir.c_str(), *spec.run_as, *spec.run_as) != 0)
      throw UserError("sandbox: cannot hand " + workdir.string() + " to the sandbox uid");
    spec.executable = limits.python_path;
    spec.argv = python;
    spec.working_dir = workdir.string();
    spec.env = {"PATH=/usr/bin:/bin", "HOME=" + workdir.string(), "TMPDIR=" + workdir.string(), "LANG=C.UTF-8",
                "PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1"};
  }

  ProcessOutcome outcome = run_supervised(spec);
  if (!workdir.empty()) {
    std::error_code ec;
    fs::remove_all(workdir, ec);
  }

  SandboxResult result;
  result.exit_code = outcome.exit_code;
  result.wall_seconds = outcome.wall_seconds;
  result.stderr_tail = outcome.stderr_tail;
  result.stdout_tail = outcome.stdout_tail;
  if (!outcome.started) {
    result.status = "sandbox_unavailable";
    result.stderr_tail = outcome.start_error;
    return result;
  }
  const std::string marker_line = "\n" + nonce + "\n";
  bool marker_last = result.stdout_tail.size() >= marker_line.size() &&
                     result.stdout_tail.compare(result.stdout_tail.size() - marker_line.size(), marker_line.size(),
                                                marker_line) == 0;
  if (marker_last) result.stdout_tail.resize(result.stdout_tail.size() - marker_line.size());

  // bwrap reports a signal that killed the program as exit status 128 + signal.
  int signal = outcome.term_signal;
  if (signal == 0 && mode == Mode::kBubblewrap && outcome.exit_code > 128 && outcome.exit_code < 128 + 65)
    signal = outcome.exit_code - 128;
  bool cpu_exhausted = signal == SIGXCPU || (signal == SIGKILL && outcome.cpu_seconds >= static_cast<double>(spec.cpu_seconds));

  if (outcome.output_capped) {
    result.status = "output_limit";
  } else if (outcome.wall_timeout || cpu_exhausted) {
    result.status = "timeout";
  } else if (outcome.exited && outcome.exit_code == 0 && marker_last) {
    result.status = "passed";
    result.passed = true;
  } else if (mentions_memory_error(result.stderr_tail)) {
    result.status = "memory";
  } else if (signal != 0) {
    result.status = "crashed";
  } else {
    result.status = "failed";
  }
  return result;
}

struct Probe {
  bool ok = false;
  std::string reason;
};

Probe probe_bwrap(const std::string& configured) {
  static std::mutex mutex;
  static std::map<std::string, Probe> cache;
  std::lock_guard lock(mutex);
  auto found = cache.find(configured);
  if (found != cache.end()) return found->second;
  Probe probe;
  std::string bwrap = resolve_bwrap(configured);
  if (bwrap.empty()) {
    probe.reason = "bubblewrap (" + (configured.empty() ? std::string("bwrap") : configured) +
                   ") not found; install the Debian package `bubblewrap`";
  } else {
    SandboxLimits limits;
    limits.wall_seconds = 30;
    SandboxResult r = run_once("print('ok')", limits, Mode::kBubblewrap, bwrap);
    probe.ok = r.passed && r.stdout_tail == "ok\n";
    if (!probe.ok) {
      std::string detail = r.stderr_tail;
      while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
      for (char& ch : detail)
        if (ch == '\n') ch = ' ';
      probe.reason = bwrap + " cannot start a sandbox (" + r.status + ": " + detail +
                     "); unprivileged user namespaces must be allowed (sysctl kernel.unprivileged_userns_clone=1, "
                     "and no container seccomp profile blocking unshare)";
    }
  }
  cache[configured] = probe;
  return probe;
}

}  // namespace

bool sandbox_available(const std::string& bwrap_path, std::string* reason) {
  Probe probe = probe_bwrap(bwrap_path);
  if (reason) *reason = probe.reason;
  return probe.ok;
}

SandboxResult run_python_program(const std::string& program, const SandboxLimits& limits) {
  Probe probe = probe_bwrap(limits.bwrap_path);
  if (probe.ok) return run_once(program, limits, Mode::kBubblewrap, resolve_bwrap(limits.bwrap_path));
  if (!limits.allow_unsandboxed)
    throw UserError("code sandbox unavailable: " + probe.reason +
                    " (allow_unsandboxed runs programs with rlimits only, without namespaces)");
  return run_once(program, limits, Mode::kProcessOnly, "");
}

std::vector<SandboxResult> run_python_programs(const std::vector<std::string>& programs, const SandboxLimits& limits,
                                               int workers) {
  return run_python_programs(programs, std::vector<SandboxLimits>(programs.size(), limits), workers);
}

std::vector<SandboxResult> run_python_programs(const std::vector<std::string>& programs,
                                               const std::vector<SandboxLimits>& limits, int workers) {
  std::vector<SandboxResult> results(programs.size());
  if (programs.empty()) return results;
  if (limits.size() != programs.size()) throw std::invalid_argument("run_python_programs: one limits per program");
  // Probe (and throw) on the calling thread, before any worker starts.
  Probe probe = probe_bwrap(limits.front().bwrap_path);
  if (!probe.ok && !limits.front().allow_unsandboxed) run_python_program(programs.front(), limits.front());

  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (size_t i = next++; i < programs.size(); i = next++) {
      try {
        results[i] = run_python_program(programs[i], limits[i]);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  size_t count = static_cast<size_t>(std::max(1, workers));
  count = std::min(count, programs.size());
  std::vector<std::thread> threads;
  for (size_t t = 1; t < count; ++t) threads.emplace_back(work);
  work();
  for (auto& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
  return results;
}

void count_program_statuses(const Json& filtered, std::map<std::string, int64_t>& counts) {
  if (!filtered.is_object() || !filtered.contains("status") || !filtered["status"].is_array()) return;
  for (const Json& status : filtered["status"])
    if (status.is_string()) ++counts[status.get<std::string>()];
}

std::string format_status_counts(const std::map<std::string, int64_t>& counts) {
  std::string line;
  for (const auto& [status, count] : counts) line += (line.empty() ? "" : ", ") + std::to_string(count) + " " + status;
  return line;
}

}  // namespace dlmeval
