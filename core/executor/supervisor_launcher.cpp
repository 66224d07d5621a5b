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

using sdk::ErrorCode;
using sdk::Status;

int openPidfd(pid_t pid) {
  // glibc 2.36 declares pidfd_open() without C linkage in C++, so call the kernel directly.
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

sdk::StatusOr<SpawnedSupervisor> spawnSupervisor(const std::filesystem::path& shim_path,
                                                 const std::filesystem::path& execution_dir) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return Status(ErrorCode::internal, std::string("pipe2: ") + std::strerror(errno));
  }
  // Only rivetd's end: the shim's end must stay blocking for its one write.
  ::fcntl(report[0], F_SETFL, O_NONBLOCK);
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

  SpawnedSupervisor spawned{pid, openPidfd(pid), report[0]};
  if (spawned.pidfd < 0) {
    const int error = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(report[0]);
    return Status(ErrorCode::internal, std::string("pidfd_open: ") + std::strerror(error));
  }
  return spawned;
}

bool readReport(int report_fd, std::string& report) {
  char buffer[256];
  for (;;) {
    const ssize_t n = ::read(report_fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;  // EAGAIN: the rest is still to come
    if (n == 0) return true;
    report.append(buffer, static_cast<std::size_t>(n));
    if (report.find('\n') != std::string::npos) return true;
  }
}

std::optional<pid_t> startedActionPid(const std::string& report) {
  if (report.rfind("started ", 0) != 0) return std::nullopt;
  return static_cast<pid_t>(std::stol(report.substr(8)));
}

}  // namespace rivet::core
