#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace rivet::plugins::python_venv {
namespace {

bool steersPython(const char* entry) {
  return std::strncmp(entry, "PYTHON", 6) == 0 || std::strncmp(entry, "PIP_", 4) == 0 ||
         std::strncmp(entry, "VIRTUAL_ENV=", 12) == 0;
}

std::vector<char*> childEnvironment() {
  std::vector<char*> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    if (!steersPython(*entry)) env.push_back(*entry);
  }
  env.push_back(nullptr);
  return env;
}

// Waits for `pid`, polling so that the deadline is noticed; kills its group on expiry.
void waitForChild(pid_t pid, Deadline deadline, ChildOutcome& outcome) {
  auto pause = std::chrono::milliseconds(5);
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      outcome.error = std::string("waitpid: ") + std::strerror(errno);
      return;
    }
    if (done == 0 && std::chrono::steady_clock::now() >= deadline) {
      outcome.timed_out = true;
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.term_signal = WTERMSIG(status);
}

}  // namespace

std::string ChildOutcome::describe() const {
  if (!started) return "could not start: " + error;
  if (timed_out) return "timed out";
  if (term_signal != 0) return "killed by signal " + std::to_string(term_signal);
  return "exit " + std::to_string(exit_code);
}

ChildOutcome runChild(const std::vector<std::string>& argv, int output_fd, Deadline deadline) {
  ChildOutcome outcome;
  if (argv.empty()) {
    outcome.error = "empty argv";
    return outcome;
  }
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env = childEnvironment();

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, output_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, output_fd, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  // Its own process group (killed as one on expiry), default signal dispositions and mask.
  sigset_t no_signals;
  sigset_t all_signals;
  sigemptyset(&no_signals);
  sigfillset(&all_signals);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &all_signals);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, args[0], &actions, &attributes, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    outcome.error = argv[0] + ": " + std::strerror(error);
    return outcome;
  }
  outcome.started = true;
  waitForChild(pid, deadline, outcome);
  return outcome;
}

ChildOutcome runChildCapturing(const std::vector<std::string>& argv, Deadline deadline,
                               std::string& output) {
  output.clear();
  const int fd = ::memfd_create("rivet-python-venv-probe", MFD_CLOEXEC);
  if (fd < 0) {
    ChildOutcome outcome;
    outcome.error = std::string("memfd_create: ") + std::strerror(errno);
    return outcome;
  }
  ChildOutcome outcome = runChild(argv, fd, deadline);
  char buffer[4096];
  ssize_t n = 0;
  off_t offset = 0;
  while ((n = ::pread(fd, buffer, sizeof buffer, offset)) > 0) {
    output.append(buffer, static_cast<std::size_t>(n));
    offset += n;
  }
  ::close(fd);
  return outcome;
}

std::string lastLines(const std::string& text, int count) {
  std::string::size_type end = text.size();
  while (end > 0 && text[end - 1] == '\n') --end;
  std::string::size_type start = end;
  for (int lines = 0; start > 0; --start) {
    if (text[start - 1] == '\n' && ++lines == count) break;
  }
  return text.substr(start, end - start);
}

}  // namespace rivet::plugins::python_venv
