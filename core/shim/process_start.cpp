#include "shim/process_start.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

#include "shim/file_descriptor.hpp"

namespace rivet::core {
namespace {

using sdk::ErrorCode;
using sdk::Status;

// What the child reports through the close-on-exec pipe when a step before exec fails.
struct ChildFailure {
  int step;
  int error;
};
enum ChildStep { kJoin = 1, kStdin, kStdout, kStderr, kChdir, kExec };

const char* describeStep(int step) {
  switch (step) {
    case kJoin: return "joining its sandbox";
    case kStdin: return "redirecting stdin";
    case kStdout: return "redirecting stdout";
    case kStderr: return "redirecting stderr";
    case kChdir: return "changing to the working directory";
    case kExec: return "executing the program";
  }
  return "starting";
}

std::vector<char*> cStrings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const auto& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// Runs in the forked child: async-signal-safe calls only, no allocation.
[[noreturn]] void runChild(const ProcessSpec& spec, const char* program, char* const* argv,
                           char* const* envp, int in_fd, int out_fd, int err_fd,
                           int report_fd) {
  auto fail = [report_fd](int step) {
    ChildFailure failure{step, errno};
    [[maybe_unused]] auto n = ::write(report_fd, &failure, sizeof failure);
    ::_exit(127);
  };

  // The caller (rivet-shim, rivetd) blocks and handles signals its own way; an action starts
  // with the defaults.
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  }
  ::setpgid(0, 0);
  ::setpriority(PRIO_PROCESS, 0, spec.nice);

  for (const auto& file : spec.join_files) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail(kJoin);
    char digits[24];
    int length = 0;
    for (pid_t pid = ::getpid(); pid > 0; pid /= 10) digits[length++] = char('0' + pid % 10);
    char text[24];
    for (int i = 0; i < length; ++i) text[i] = digits[length - 1 - i];
    if (::write(fd, text, length) != length) fail(kJoin);
    ::close(fd);
  }

  if (::dup2(in_fd, STDIN_FILENO) < 0) fail(kStdin);
  if (::dup2(out_fd, STDOUT_FILENO) < 0) fail(kStdout);
  if (::dup2(err_fd, STDERR_FILENO) < 0) fail(kStderr);
  if (::chdir(spec.working_dir.c_str()) != 0) fail(kChdir);
  // Whatever the caller had open (sockets, the database, the shim's fd 3 and signalfd) must
  // not leak into actions.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve(program, argv, envp);
  fail(kExec);
  ::_exit(127);
}

}  // namespace

std::string resolveExecutable(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& entry : env) {
    if (entry.rfind("PATH=", 0) == 0) path = entry.substr(5);
  }
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    auto candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

sdk::StatusOr<StartedProcess> startProcess(const ProcessSpec& spec) {
  if (spec.argv.empty()) return Status(ErrorCode::internal, "launch plan has an empty argv");
  const std::string program = resolveExecutable(spec.argv.front(), spec.env);
  if (program.empty()) {
    return Status(ErrorCode::unavailable,
                  "program '" + spec.argv.front() + "' not found in the action's PATH");
  }

  const auto openFile = [](const std::string& path, int flags) {
    return FileDescriptor(::open(path.c_str(), flags | O_CLOEXEC, 0640));
  };
  FileDescriptor in_fd = openFile(spec.stdin_path, O_RDONLY);
  FileDescriptor out_fd = openFile(spec.stdout_path, O_WRONLY | O_CREAT | O_TRUNC);
  FileDescriptor err_fd = openFile(spec.stderr_path, O_WRONLY | O_CREAT | O_TRUNC);
  for (const auto* fd : {&in_fd, &out_fd, &err_fd}) {
    if (fd->get() < 0) {
      return Status(ErrorCode::internal,
                    std::string("cannot open the action's stdio files: ") + std::strerror(errno));
    }
  }
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return Status(ErrorCode::internal, std::string("pipe2: ") + std::strerror(errno));
  }
  FileDescriptor report_read(report[0]);
  FileDescriptor report_write(report[1]);

  auto argv = cStrings(spec.argv);
  auto envp = cStrings(spec.env);
  const pid_t pid = ::fork();
  if (pid < 0) return Status(ErrorCode::unavailable, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    runChild(spec, program.c_str(), argv.data(), envp.data(), in_fd.get(), out_fd.get(),
             err_fd.get(), report_write.get());
  }
  // Both sides set the group, so it exists whichever runs first.
  ::setpgid(pid, pid);
  report_write.reset();

  ChildFailure failure{};
  ssize_t n;
  do {
    n = ::read(report_read.get(), &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    ::waitpid(pid, nullptr, 0);
    return Status(ErrorCode::unavailable, std::string("failed ") + describeStep(failure.step) +
                                              " (" + program + "): " +
                                              std::strerror(failure.error));
  }
  // glibc 2.36 declares pidfd_open() without C linkage in C++, so call the kernel directly.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const int error = errno;
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return Status(ErrorCode::internal, std::string("pidfd_open: ") + std::strerror(error));
  }
  return StartedProcess{pid, pidfd};
}

}  // namespace rivet::core
