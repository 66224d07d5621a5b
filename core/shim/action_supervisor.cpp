#include "shim/action_supervisor.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace rivet::core::shim {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// While stopping, the tree is looked at again this often: a process reaped by its own parent
// sends the shim no SIGCHLD, and the SIGKILL deadline must be noticed.
constexpr auto kStopRescanInterval = 100ms;

sdk::Status systemError(const std::string& call) {
  return sdk::Status(sdk::ErrorCode::internal, call + ": " + std::strerror(errno));
}

std::string describeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return "exited with code " + std::to_string(WEXITSTATUS(wait_status));
  const int signal = WTERMSIG(wait_status);
  const char* name = sigabbrev_np(signal);
  return "killed by signal " + std::to_string(signal) +
         (name ? std::string(" (SIG") + name + ")" : std::string());
}

}  // namespace

sigset_t supervisedSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGHUP}) sigaddset(&signals, signal);
  return signals;
}

sdk::StatusOr<ActionSupervisor> ActionSupervisor::create(SupervisionLimits limits) {
  const sigset_t signals = supervisedSignals();
  FileDescriptor signal_fd(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signal_fd.valid()) return systemError("signalfd");
  FileDescriptor timer_fd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!timer_fd.valid()) return systemError("timerfd_create");
  return ActionSupervisor(limits, std::move(signal_fd), std::move(timer_fd));
}

ActionSupervisor::ActionSupervisor(SupervisionLimits limits, FileDescriptor signal_fd,
                                   FileDescriptor timer_fd)
    : limits_(limits),
      signal_fd_(std::move(signal_fd)),
      timer_fd_(std::move(timer_fd)),
      own_group_(::getpgrp()) {}

sdk::StatusOr<ExecutionEnd> ActionSupervisor::supervise(pid_t action_pid,
                                                        std::int64_t started_at_ms) {
  action_pid_ = action_pid;
  started_at_ms_ = started_at_ms;
  if (limits_.timeout_seconds > 0) armTimer(std::chrono::seconds(limits_.timeout_seconds), 0ms);

  for (;;) {
    pollfd events[] = {{signal_fd_.get(), POLLIN, 0}, {timer_fd_.get(), POLLIN, 0}};
    if (::poll(events, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return systemError("poll");
    }
    bool cancel = false;
    signalfd_siginfo info;
    while (::read(signal_fd_.get(), &info, sizeof info) == sizeof info) {
      // SIGCHLD needs no flag (children are reaped below whatever woke us); SIGHUP is
      // ignored on purpose: the terminal rivetd was started from may close at any time.
      const int signal = static_cast<int>(info.ssi_signo);
      if (signal == SIGTERM || signal == SIGINT || signal == SIGUSR1) cancel = true;
    }
    std::uint64_t expirations = 0;
    const bool timer_fired =
        ::read(timer_fd_.get(), &expirations, sizeof expirations) == sizeof expirations;

    // Reaping first: an action that exited on its own ended the execution, even if a cancel
    // or the timeout arrived in the same instant.
    reapChildren();
    if (!stop_reason_) {
      if (action_wait_status_) return describeEnd();
      if (cancel) {
        beginStopping(Outcome::canceled);
      } else if (timer_fired) {
        beginStopping(Outcome::timeout);
      }
    }
    if (stop_reason_ && stopRemaining()) return describeEnd();
  }
}

void ActionSupervisor::reapChildren() {
  // As the subreaper the shim is the parent of every orphaned descendant: reap them all, so
  // none lingers as a zombie, and keep the action's own status.
  for (;;) {
    int wait_status = 0;
    const pid_t pid = ::waitpid(-1, &wait_status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;
    if (pid == action_pid_) action_wait_status_ = wait_status;
  }
}

void ActionSupervisor::beginStopping(Outcome why) {
  stop_reason_ = why;
  kill_at_ = Clock::now() + std::chrono::seconds(limits_.kill_grace_seconds);
  armTimer(kStopRescanInterval, kStopRescanInterval);
}

bool ActionSupervisor::stopRemaining() {
  const auto remaining = descendantsOf(::getpid());
  if (remaining.empty()) return true;
  const bool grace_over = Clock::now() >= kill_at_;
  for (const auto& process : remaining) {
    if (grace_over) {
      signalProcess(process, SIGKILL);
      sent_sigkill_ = true;
    } else if (sent_sigterm_.insert(process.pid).second) {
      signalProcess(process, SIGTERM);
    }
  }
  return false;
}

void ActionSupervisor::signalProcess(const ProcStat& process, int signal) {
  ::kill(process.pid, signal);
  // The group too: a child forked after /proc was read is not in the list, but it is in its
  // parent's group. Never the shim's own group, which would stop the shim itself.
  if (process.pgrp > 0 && process.pgrp != own_group_) ::kill(-process.pgrp, signal);
}

void ActionSupervisor::armTimer(std::chrono::milliseconds first,
                                std::chrono::milliseconds interval) {
  const auto toTimespec = [](std::chrono::milliseconds duration) {
    return timespec{static_cast<time_t>(duration.count() / 1000),
                    static_cast<long>(duration.count() % 1000 * 1000000)};
  };
  const itimerspec spec{toTimespec(interval), toTimespec(first)};
  ::timerfd_settime(timer_fd_.get(), 0, &spec, nullptr);
}

ExecutionEnd ActionSupervisor::describeEnd() const {
  ExecutionEnd end;
  end.started_at_ms = started_at_ms_;
  end.ended_at_ms = epochMs();
  if (action_wait_status_) {
    const int wait_status = *action_wait_status_;
    if (WIFEXITED(wait_status)) {
      end.exit_code = WEXITSTATUS(wait_status);
    } else {
      end.signal = WTERMSIG(wait_status);
    }
  }
  if (!stop_reason_) {
    end.outcome = end.exit_code ? Outcome::exited : Outcome::signaled;
    end.reason = describeWaitStatus(*action_wait_status_);
    return end;
  }
  end.outcome = *stop_reason_;
  end.reason = end.outcome == Outcome::timeout
                   ? "timed out after " + std::to_string(limits_.timeout_seconds) + " s"
                   : "canceled";
  if (sent_sigkill_) {
    end.reason +=
        "; killed with SIGKILL after " + std::to_string(limits_.kill_grace_seconds) + " s grace";
  } else if (!sent_sigterm_.empty()) {
    end.reason += "; stopped with SIGTERM";
  }
  return end;
}

}  // namespace rivet::core::shim
