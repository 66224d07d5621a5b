// rivet-shim <execution_dir>: supervises one execution of an action, independently of
// rivetd. It starts the action described by launch.json, enforces its timeout and cancel,
// and writes status.json; rivetd may die and restart meanwhile and re-adopts the shim through
// supervisor.json. README.md is the contract with rivetd.
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "shim/action_supervisor.hpp"
#include "shim/execution_files.hpp"
#include "shim/launch_request.hpp"
#include "shim/process_start.hpp"
#include "shim/process_tree.hpp"

namespace rivet::core::shim {
namespace {

// Exit codes, besides 0 (status.json written, whatever the outcome).
constexpr int kExitNoStatus = 1;   // status.json could not be written, or the loop failed
constexpr int kExitBadLaunch = 2;  // launch.json unusable, or the shim could not set up

constexpr int kStartReportFd = 3;

// rivetd may pass a pipe as fd 3 to learn, without polling, whether the action started. It
// gets exactly one line; the shim must not die of SIGPIPE if rivetd is gone (SIGPIPE ignored).
class StartReport {
 public:
  StartReport() : open_(::fcntl(kStartReportFd, F_GETFD) >= 0) {
    // Never inherited by the action, whatever happens before the report is sent.
    if (open_) ::fcntl(kStartReportFd, F_SETFD, FD_CLOEXEC);
  }
  void send(std::string line) {
    if (!open_) return;
    for (char& c : line) {
      if (c == '\n') c = ' ';
    }
    line += '\n';
    [[maybe_unused]] auto written = ::write(kStartReportFd, line.data(), line.size());
    ::close(kStartReportFd);
    open_ = false;
  }

 private:
  bool open_;
};

// A daemon started with stdin, stdout or stderr closed would hand those numbers to the next
// files it opens, and the action's dup2 onto 0-2 could then close its own stdio files.
void openMissingStandardDescriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0) ::open("/dev/null", O_RDWR);
  }
}

std::string systemError(const std::string& call) { return call + ": " + std::strerror(errno); }

class Shim {
 public:
  Shim(std::filesystem::path execution_dir, StartReport& start_report)
      : execution_dir_(std::move(execution_dir)), start_report_(start_report) {}

  int run() {
    // Its own session and process group: signals aimed at rivetd's group or its terminal
    // do not reach the shim. Already a session leader is fine (posix_spawn with SETSID).
    if (::setsid() < 0 && ::getsid(0) != ::getpid()) {
      return failToStart(systemError("setsid"), kExitBadLaunch);
    }
    // Orphaned descendants (double-forked, setsid'd) become the shim's children, so the
    // whole tree stays visible and can be stopped and reaped.
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
      return failToStart(systemError("prctl(PR_SET_CHILD_SUBREAPER)"), kExitBadLaunch);
    }
    if (auto written = writeSupervisorFile(execution_dir_); !written.ok()) {
      return failToStart(written.message(), kExitBadLaunch);
    }
    auto request = readLaunchRequest(execution_dir_ / "launch.json");
    if (!request.ok()) return failToStart(request.status().message(), kExitBadLaunch);

    auto supervisor =
        ActionSupervisor::create({request->timeout_seconds, request->kill_grace_seconds});
    if (!supervisor.ok()) return failToStart(supervisor.status().message(), kExitBadLaunch);

    auto started = startProcess(request->process);
    if (!started.ok()) return failToStart(started.status().message(), 0);
    const std::int64_t started_at_ms = epochMs();
    ::close(started->pidfd);  // the shim learns of exits through SIGCHLD, for the whole tree

    // The action is a child not yet reaped, so its /proc entry is there to read.
    const auto stat = readProcStat(started->pid);
    if (auto written = writeStartedFile(execution_dir_,
                                        {started->pid, stat ? stat->start_time : 0, started_at_ms});
        !written.ok()) {
      std::cerr << "rivet-shim: " << written.message() << "\n";
    }
    start_report_.send("started " + std::to_string(started->pid));

    auto end = supervisor->supervise(started->pid, started_at_ms);
    if (!end.ok()) {
      std::cerr << "rivet-shim: " << end.status().message() << "\n";
      return kExitNoStatus;
    }
    return finish(*end);
  }

 private:
  int failToStart(const std::string& reason, int exit_code) {
    start_report_.send("failed " + reason);
    ExecutionEnd end;
    end.outcome = Outcome::failed_to_start;
    end.reason = reason;
    end.ended_at_ms = epochMs();
    const int finished = finish(end);
    return finished == 0 ? exit_code : finished;
  }

  int finish(const ExecutionEnd& end) {
    if (auto written = writeStatusFile(execution_dir_, end); !written.ok()) {
      std::cerr << "rivet-shim: " << written.message() << "\n";
      return kExitNoStatus;
    }
    return 0;
  }

  std::filesystem::path execution_dir_;
  StartReport& start_report_;
};

}  // namespace
}  // namespace rivet::core::shim

int main(int argc, char** argv) {
  using namespace rivet::core::shim;
  // Blocked, then set back to their default action (which cannot run while blocked), so no
  // disposition inherited through exec matters: a SIGCHLD ignored by whoever started the shim
  // would make the kernel reap the action unseen, with its exit status lost.
  const sigset_t signals = supervisedSignals();
  ::sigprocmask(SIG_BLOCK, &signals, nullptr);
  for (int signal = 1; signal < NSIG; ++signal) {
    if (sigismember(&signals, signal) == 1) ::signal(signal, SIG_DFL);
  }
  ::signal(SIGPIPE, SIG_IGN);
  // Before anything opens a descriptor: fd 3 is rivetd's pipe if it is open at all.
  StartReport start_report;
  openMissingStandardDescriptors();

  if (argc != 2) {
    std::cerr << "usage: rivet-shim <execution_dir>\n";
    start_report.send("failed usage: rivet-shim <execution_dir>");
    return kExitBadLaunch;
  }
  return Shim(argv[1], start_report).run();
}
