#include "scorers/supervised_process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <system_error>
#include <thread>

namespace dlmeval {
namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

void make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
}

// Keeps the last `limit` bytes of a stream without holding all of it.
void append_tail(std::string& tail, const char* data, size_t n, size_t limit) {
  tail.append(data, n);
  if (tail.size() > 2 * limit) tail.erase(0, tail.size() - limit);
}

void trim_tail(std::string& tail, size_t limit) {
  if (tail.size() > limit) tail.erase(0, tail.size() - limit);
}

struct ChildArgs {
  std::vector<char*> argv;
  std::vector<char*> envp;
};

// Only async-signal-safe calls between fork and exec: the parent is multi-threaded.
[[noreturn]] void exec_child(const ProcessSpec& spec, ChildArgs& args, int in_fd, int out_fd, int err_fd,
                             int report_fd) {
  auto fail = [report_fd](const char* step) {
    int err = errno;
    ssize_t ignored = ::write(report_fd, step, std::strlen(step));
    ignored = ::write(report_fd, ": ", 2);
    const char* text = std::strerror(err);  // not strictly async-signal-safe; glibc's is in practice
    ignored = ::write(report_fd, text, std::strlen(text));
    (void)ignored;
    ::_exit(127);
  };
  if (::setsid() < 0) fail("setsid");
  if (::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) fail("dup2");
  // Everything else (other runs' pipes included) stays out of the child; the report pipe moves
  // to fd 3, close-on-exec, and must survive until exec.
  if (report_fd != 3) {
    if (::dup3(report_fd, 3, O_CLOEXEC) < 0) ::_exit(127);
    report_fd = 3;
  }
  ::close_range(4, ~0U, 0);
  ::signal(SIGPIPE, SIG_DFL);

  auto limit = [&](int resource, rlim_t soft, rlim_t hard, const char* name) {
    struct rlimit rl{soft, hard};
    if (::setrlimit(resource, &rl) != 0) fail(name);
  };
  rlim_t cpu = static_cast<rlim_t>(spec.cpu_seconds);
  limit(RLIMIT_CPU, cpu, cpu + 1, "setrlimit(RLIMIT_CPU)");
  limit(RLIMIT_CORE, 0, 0, "setrlimit(RLIMIT_CORE)");
  if (spec.address_space_bytes > 0)
    limit(RLIMIT_AS, static_cast<rlim_t>(spec.address_space_bytes), static_cast<rlim_t>(spec.address_space_bytes),
          "setrlimit(RLIMIT_AS)");
  if (spec.max_processes > 0)
    limit(RLIMIT_NPROC, static_cast<rlim_t>(spec.max_processes), static_cast<rlim_t>(spec.max_processes),
          "setrlimit(RLIMIT_NPROC)");
  if (spec.max_file_bytes > 0)
    limit(RLIMIT_FSIZE, static_cast<rlim_t>(spec.max_file_bytes), static_cast<rlim_t>(spec.max_file_bytes),
          "setrlimit(RLIMIT_FSIZE)");
  if (spec.run_as) {
    uid_t id = *spec.run_as;
    if (::setgroups(0, nullptr) != 0) fail("setgroups");
    if (::setresgid(id, id, id) != 0) fail("setresgid");
    if (::setresuid(id, id, id) != 0) fail("setresuid");
  }
  if (::chdir(spec.working_dir.c_str()) != 0) fail("chdir");
  ::execve(spec.executable.c_str(), args.argv.data(), args.envp.data());
  fail("execve");
  ::_exit(127);  // fail() never returns; this tells the compiler so
}

// True once the child has exited, without reaping it: while it is an unreaped zombie its pid,
// and so its process group id, cannot be reused, so killing the group cannot hit a stranger.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  int rc;
  do {
    rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
  } while (rc < 0 && errno == EINTR);
  return rc == 0 && info.si_pid == pid;
}

bool reap(pid_t pid, ProcessOutcome& out, int flags) {
  int status = 0;
  struct rusage usage{};
  pid_t got;
  do {
    got = ::wait4(pid, &status, flags, &usage);
  } while (got < 0 && errno == EINTR);
  if (got != pid) return false;
  if (WIFEXITED(status)) {
    out.exited = true;
    out.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    out.term_signal = WTERMSIG(status);
    out.exit_code = 128 + out.term_signal;
  }
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  out.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  return true;
}

}  // namespace

ProcessOutcome run_supervised(const ProcessSpec& spec) {
  ProcessOutcome out;
  Fd out_read, out_write, err_read, err_write, report_read, report_write;
  make_pipe(out_read, out_write);
  make_pipe(err_read, err_write);
  make_pipe(report_read, report_write);
  // A socket for stdin lets the parent write with MSG_NOSIGNAL: a child that exits without
  // reading its input must not raise SIGPIPE in the parent.
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw std::system_error(errno, std::generic_category(), "socketpair");
  Fd in_write(sv[0]), in_read(sv[1]);

  ChildArgs args;
  for (const auto& a : spec.argv) args.argv.push_back(const_cast<char*>(a.c_str()));
  args.argv.push_back(nullptr);
  for (const auto& e : spec.env) args.envp.push_back(const_cast<char*>(e.c_str()));
  args.envp.push_back(nullptr);

  auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) {
    out.start_error = std::string("fork: ") + std::strerror(errno);
    return out;
  }
  if (pid == 0) exec_child(spec, args, in_read.get(), out_write.get(), err_write.get(), report_write.get());

  in_read.reset();
  out_write.reset();
  err_write.reset();
  report_write.reset();
  std::string report;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(report_read.get(), buffer, sizeof buffer);
    if (n > 0) report.append(buffer, static_cast<size_t>(n));
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  if (!report.empty()) {
    reap(pid, out, 0);  // exited before exec: nothing else in its group
    out.start_error = report;
    return out;
  }
  out.started = true;

  auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.wall_seconds));
  ::fcntl(in_write.get(), F_SETFL, O_NONBLOCK);
  size_t stdin_sent = 0;
  if (spec.stdin_data.empty()) in_write.reset();
  int64_t output_total = 0;
  bool reaped = false, killed = false;
  Clock::time_point drain_until{};
  auto kill_group = [&] {
    if (!killed) ::kill(-pid, SIGKILL);  // the child leads its own group (setsid)
    killed = true;
  };

  while (out_read.open() || err_read.open()) {
    auto now = Clock::now();
    if (now >= deadline) {
      out.wall_timeout = !reaped;
      kill_group();
      break;
    }
    if (reaped && now >= drain_until) break;  // a descendant outside the group holds a pipe
    pollfd fds[3];
    Fd* owners[3];
    nfds_t count = 0;
    for (Fd* fd : {&out_read, &err_read}) {
      if (!fd->open()) continue;
      fds[count] = {fd->get(), POLLIN, 0};
      owners[count++] = fd;
    }
    if (in_write.open()) {
      fds[count] = {in_write.get(), POLLOUT, 0};
      owners[count++] = &in_write;
    }
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    int timeout_ms = static_cast<int>(std::min<int64_t>(remaining + 1, 100));
    int ready = ::poll(fds, count, timeout_ms);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) {
      if (!reaped && has_exited(pid)) {
        kill_group();  // leftovers in the child's group, before its id is freed
        reaped = reap(pid, out, 0);
        drain_until = Clock::now() + std::chrono::milliseconds(200);
      }
      continue;
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      Fd& fd = *owners[i];
      if (&fd == &in_write) {
        ssize_t n = ::send(fd.get(), spec.stdin_data.data() + stdin_sent, spec.stdin_data.size() - stdin_sent,
                           MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) stdin_sent += static_cast<size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || stdin_sent == spec.stdin_data.size()) in_write.reset();
        continue;
      }
      ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        fd.reset();
        continue;
      }
      size_t allowed = static_cast<size_t>(std::max<int64_t>(0, spec.max_output_bytes - output_total));
      size_t keep = std::min(static_cast<size_t>(n), allowed);
      append_tail(&fd == &out_read ? out.stdout_tail : out.stderr_tail, buffer, keep, spec.tail_bytes);
      output_total += n;
      if (output_total > spec.max_output_bytes) {
        out.output_capped = true;
        kill_group();
        break;
      }
    }
    if (out.output_capped) break;
  }
  in_write.reset();
  out_read.reset();
  err_read.reset();

  while (!reaped) {
    bool exited = has_exited(pid);
    if (!exited && Clock::now() >= deadline) out.wall_timeout = true;
    if (exited || out.wall_timeout) {
      kill_group();  // anything the child left behind in its group
      reaped = reap(pid, out, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  trim_tail(out.stdout_tail, spec.tail_bytes);
  trim_tail(out.stderr_tail, spec.tail_bytes);
  out.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

}  // namespace dlmeval
