#include "executor/supervisor_launcher.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

extern char** environ;

namespace rivet::core {
namespace {

using sdk::ErrorCode;
using sdk::Status;

// Reads the shim's one report line; EOF without one means the shim died before reporting.
std::string readReportLine(int fd) {
  std::string line;
  char buffer[256];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
    if (line.find('\n') != std::string::npos) break;
  }
  if (auto newline = line.find('\n'); newline != std::string::npos) line.resize(newline);
  return line;
}

}  // namespace

int openPidfd(pid_t pid) {
  // glibc 2.36 declares pidfd_open() without C linkage in C++, so call the kernel directly.
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

sdk::StatusOr<LaunchedSupervisor> launchSupervisor(const std::filesystem::path& shim_path,
                                                   const std::filesystem::path& execution_dir) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return Status(ErrorCode::internal, std::string("pipe2: ") + std::strerror(errno));
  }
  const auto log_path = (execution_dir / "supervisor.log").string();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0640);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_adddup2(&actions, report[1], 3);
  posix_spawn_file_actions_addclosefrom_np(&actions, 4);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);

  const std::string program = shim_path.string();
  const std::string directory = execution_dir.string();
  std::vector<char*> argv{const_cast<char*>(program.c_str()), const_cast<char*>(directory.c_str()),
                          nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(report[1]);
  if (rc != 0) {
    ::close(report[0]);
    return Status(ErrorCode::unavailable,
                  "cannot start the supervisor " + program + ": " + std::strerror(rc));
  }

  LaunchedSupervisor launched;
  launched.pid = pid;
  launched.pidfd = openPidfd(pid);
  const std::string line = readReportLine(report[0]);
  ::close(report[0]);
  if (launched.pidfd < 0) {
    const int error = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return Status(ErrorCode::internal, std::string("pidfd_open: ") + std::strerror(error));
  }
  if (line.rfind("started ", 0) == 0) {
    launched.action_pid = static_cast<pid_t>(std::stol(line.substr(8)));
  } else if (line.rfind("failed ", 0) == 0) {
    launched.failure = line.substr(7);
  } else {
    launched.failure = "the supervisor exited before starting the action (see " + log_path + ")";
  }
  return launched;
}

}  // namespace rivet::core
