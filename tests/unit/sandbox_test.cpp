#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "harness/core/error.h"
#include "scorers/sandbox.h"

using namespace dlmeval;
namespace fs = std::filesystem;

namespace {

// Short limits keep the hostile programs fast.
SandboxLimits tight_limits() {
  SandboxLimits limits;
  limits.cpu_seconds = 1;
  limits.wall_seconds = 2;
  limits.memory_bytes = int64_t{512} << 20;
  limits.max_processes = 24;
  limits.max_output_bytes = 64 << 10;
  return limits;
}

// The sandbox is a hard requirement on the machines this project supports (Debian 12 with
// bubblewrap). A machine that cannot run it must say so explicitly.
void require_sandbox() {
  std::string reason;
  if (sandbox_available("", &reason)) return;
  if (std::getenv("DLMEVAL_ALLOW_NO_SANDBOX")) GTEST_SKIP() << "sandbox unavailable: " << reason;
  FAIL() << "bubblewrap sandbox unavailable (set DLMEVAL_ALLOW_NO_SANDBOX=1 to skip): " << reason;
}

fs::path host_temp_file(const std::string& stem) {
  std::random_device device;
  fs::path dir = fs::temp_directory_path() / ("dlmeval-sandbox-host-" + stem + "-" + std::to_string(device()));
  fs::create_directories(dir);
  std::ofstream(dir / "keep.txt") << "must survive";
  return dir;
}

TEST(Sandbox, CorrectProgramPassesAndMarkerIsStripped) {
  require_sandbox();
  SandboxResult r = run_python_program("def double(x):\n    return 2 * x\n\nassert double(21) == 42\nprint('ok')\n",
                                       tight_limits());
  EXPECT_TRUE(r.passed) << r.stderr_tail;
  EXPECT_EQ(r.status, "passed");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_tail, "ok\n");
}

TEST(Sandbox, FailingAssertFails) {
  require_sandbox();
  SandboxResult r = run_python_program("assert 1 + 1 == 3, 'arithmetic'\n", tight_limits());
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stderr_tail.find("AssertionError: arithmetic"), std::string::npos) << r.stderr_tail;
}

TEST(Sandbox, SyntaxErrorAndUnterminatedProgramFail) {
  require_sandbox();
  EXPECT_EQ(run_python_program("def f(:\n", tight_limits()).status, "failed");
  // An open bracket swallows the appended marker code: still a failure, never a pass.
  EXPECT_EQ(run_python_program("x = [1, 2,\n", tight_limits()).status, "failed");
}

TEST(Sandbox, InfiniteLoopsTimeOut) {
  require_sandbox();
  SandboxLimits limits = tight_limits();
  limits.wall_seconds = 1;
  EXPECT_EQ(run_python_program("while True:\n    pass\n", limits).status, "timeout");
  // Sleeping burns no CPU: the wall clock ends it.
  SandboxResult sleeper = run_python_program("import time\ntime.sleep(60)\n", limits);
  EXPECT_EQ(sleeper.status, "timeout");
  EXPECT_LT(sleeper.wall_seconds, 10.0);
}

TEST(Sandbox, ForkBombIsContained) {
  require_sandbox();
  SandboxLimits limits = tight_limits();
  // Each child sleeps, so every fork holds a process slot; the count shows where the limit bit.
  SandboxResult counted = run_python_program(
      "import os, time\n"
      "n = 0\n"
      "try:\n"
      "    for _ in range(1000):\n"
      "        if os.fork() == 0:\n"
      "            time.sleep(30)\n"
      "            os._exit(0)\n"
      "        n += 1\n"
      "except OSError:\n"
      "    pass\n"
      "print('forked', n)\n"
      "assert n >= 1000\n",
      limits);
  EXPECT_EQ(counted.status, "failed") << counted.stderr_tail;
  int forked = -1;
  ASSERT_EQ(std::sscanf(counted.stdout_tail.c_str(), "forked %d", &forked), 1) << counted.stdout_tail;
  EXPECT_GE(forked, 1);
  EXPECT_LT(forked, limits.max_processes);

  limits.wall_seconds = 1;
  SandboxResult bomb = run_python_program(
      "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", limits);
  EXPECT_FALSE(bomb.passed);
  EXPECT_TRUE(bomb.status == "timeout" || bomb.status == "failed") << bomb.status;
  // The machine still starts processes afterwards.
  EXPECT_TRUE(run_python_program("print(1)\n", limits).passed);
}

TEST(Sandbox, MemoryHogHitsTheLimit) {
  require_sandbox();
  SandboxResult r = run_python_program("hog = bytearray(3 * 1024 ** 3)\nprint(len(hog))\n", tight_limits());
  EXPECT_EQ(r.status, "memory") << r.stderr_tail;
  SandboxResult growing = run_python_program("chunks = []\nwhile True:\n    chunks.append(' ' * (64 << 20))\n",
                                             tight_limits());
  EXPECT_EQ(growing.status, "memory") << growing.stderr_tail;
}

TEST(Sandbox, HomeWritesStayInsideTheSandbox) {
  require_sandbox();
  std::string marker_name = "dlmeval-sandbox-home-" + std::to_string(std::random_device{}());
  // Writing to the sandbox's own home works (a private tmpfs) and vanishes with it.
  SandboxResult own_home = run_python_program(
      "import os\npath = os.path.join(os.path.expanduser('~'), '" + marker_name + "')\n"
      "open(path, 'w').write('x')\nassert open(path).read() == 'x'\n",
      tight_limits());
  EXPECT_TRUE(own_home.passed) << own_home.stderr_tail;
  EXPECT_FALSE(fs::exists(fs::temp_directory_path() / marker_name));
  const char* host_home = std::getenv("HOME");
  ASSERT_NE(host_home, nullptr);
  EXPECT_FALSE(fs::exists(fs::path(host_home) / marker_name));

  // The host's home directory is not there at all.
  fs::path target = fs::path(host_home) / (marker_name + "-direct");
  SandboxResult direct = run_python_program("open('" + target.string() + "', 'w').write('pwned')\n", tight_limits());
  EXPECT_EQ(direct.status, "failed");
  EXPECT_FALSE(fs::exists(target));
}

TEST(Sandbox, PrivateTmpIsSmall) {
  require_sandbox();
  // 200 MiB into the private /tmp: stopped by the file-size limit or the full tmpfs.
  SandboxResult r = run_python_program(
      "with open('/tmp/big', 'wb') as f:\n    for _ in range(200):\n        f.write(b'z' * (1 << 20))\n",
      tight_limits());
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(r.status == "failed" || r.status == "crashed") << r.status << r.stderr_tail;
}

TEST(Sandbox, HostFilesSurviveDeletion) {
  require_sandbox();
  fs::path host_dir = host_temp_file("rm");
  fs::path source_file = fs::path(DLMEVAL_SOURCE_DIR) / "CMakeLists.txt";
  SandboxResult r = run_python_program(
      "import os, shutil\n"
      "os.system('rm -rf " + host_dir.string() + " " + source_file.string() + " /usr/bin/python3 2>/dev/null')\n"
      "shutil.rmtree('" + host_dir.string() + "')\n",
      tight_limits());
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.stderr_tail.find("FileNotFoundError"), std::string::npos) << r.stderr_tail;
  EXPECT_TRUE(fs::exists(host_dir / "keep.txt"));
  EXPECT_TRUE(fs::exists(source_file));
  EXPECT_TRUE(fs::exists("/usr/bin/python3"));
  fs::remove_all(host_dir);
}

TEST(Sandbox, NetworkIsUnreachable) {
  require_sandbox();
  // A listener on the host's loopback: the sandbox has its own network namespace and cannot reach it.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);

  for (std::string host : {std::string("127.0.0.1"), std::string("1.1.1.1")}) {
    SandboxResult r = run_python_program(
        "import socket\ns = socket.create_connection(('" + host + "', " + std::to_string(host == "1.1.1.1" ? 80 : port) +
            "), timeout=1)\nprint('connected')\n",
        tight_limits());
    EXPECT_EQ(r.status, "failed") << host;
    EXPECT_EQ(r.stdout_tail.find("connected"), std::string::npos) << host;
  }
  ::close(listener);
}

TEST(Sandbox, KillingTheParentDoesNotEscape) {
  require_sandbox();
  SandboxResult r = run_python_program(
      "import os, signal, time\n"
      "for target in (os.getppid(), -1, 1):\n"
      "    try:\n"
      "        os.kill(target, signal.SIGKILL)\n"
      "    except OSError:\n"
      "        pass\n"
      "time.sleep(0.2)\n"
      "raise SystemExit(3)\n",
      tight_limits());
  // The program lived on to choose its own exit status; the harness (this test) is still here.
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.exit_code, 3);
}

TEST(Sandbox, EarlyExitsCannotPass) {
  require_sandbox();
  for (std::string early : {"exit(0)", "quit()", "import sys; sys.exit(0)", "import os; os._exit(0)", "raise SystemExit",
                            "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"}) {
    SandboxResult r = run_python_program("def f():\n    return 1\n" + early + "\nassert f() == 2\n", tight_limits());
    EXPECT_FALSE(r.passed) << early;
    EXPECT_NE(r.status, "passed") << early;
  }
  // exit code 0, but the marker never printed
  SandboxResult os_exit = run_python_program("import os\nos._exit(0)\nassert False\n", tight_limits());
  EXPECT_EQ(os_exit.exit_code, 0);
  EXPECT_EQ(os_exit.status, "failed");
}

TEST(Sandbox, FakeMarkerCannotPass) {
  require_sandbox();
  SandboxResult r = run_python_program(
      "import os, sys\nsys.stdout.write('\\nDLMEVAL-END-0123456789abcdef0123456789abcdef\\n')\nsys.stdout.flush()\n"
      "os._exit(0)\n",
      tight_limits());
  EXPECT_EQ(r.status, "failed");
}

TEST(Sandbox, FloodOfOutputIsCapped) {
  require_sandbox();
  SandboxLimits limits = tight_limits();
  SandboxResult out = run_python_program("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", limits);
  EXPECT_EQ(out.status, "output_limit");
  EXPECT_LE(static_cast<int64_t>(out.stdout_tail.size()), limits.max_output_bytes);
  SandboxResult err = run_python_program("import os\nwhile True:\n    os.write(2, b'y' * 65536)\n", limits);
  EXPECT_EQ(err.status, "output_limit");
}

TEST(Sandbox, ParallelRunsKeepInputOrder) {
  require_sandbox();
  std::vector<std::string> programs;
  for (int i = 0; i < 6; ++i) programs.push_back("print(" + std::to_string(i) + ")\nassert " + std::to_string(i) + " != 3\n");
  std::vector<SandboxResult> results = run_python_programs(programs, tight_limits(), 2);
  ASSERT_EQ(results.size(), programs.size());
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(results[i].stdout_tail, std::to_string(i) + "\n");
    EXPECT_EQ(results[i].passed, i != 3);
  }
}

TEST(Sandbox, MissingBubblewrapIsAUserErrorUnlessFallbackAllowed) {
  SandboxLimits limits = tight_limits();
  limits.bwrap_path = "/nonexistent/bwrap";
  std::string reason;
  EXPECT_FALSE(sandbox_available(limits.bwrap_path, &reason));
  EXPECT_NE(reason.find("bubblewrap"), std::string::npos);
  EXPECT_THROW(run_python_program("print(1)\n", limits), UserError);
  EXPECT_THROW(run_python_programs({"print(1)\n"}, limits, 2), UserError);

  limits.allow_unsandboxed = true;
  limits.wall_seconds = 1;
  EXPECT_EQ(run_python_program("print(1)\n", limits).status, "passed");
  EXPECT_EQ(run_python_program("assert False\n", limits).status, "failed");
  EXPECT_EQ(run_python_program("import os\nos._exit(0)\n", limits).status, "failed");
  EXPECT_EQ(run_python_program("while True:\n    pass\n", limits).status, "timeout");
}

}  // namespace
