// The event loop of rivet-shim once the action runs: it reaps every process the shim
// inherits, ends the execution when the action exits, and on a timeout or a cancel stops the
// action's whole tree (SIGTERM, then SIGKILL after the grace period) and waits until none of
// it remains. One thread, no busy loop: it sleeps in poll() on a signalfd and a timerfd.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>

#include "rivet/sdk/status.hpp"
#include "shim/execution_files.hpp"
#include "shim/file_descriptor.hpp"
#include "shim/process_tree.hpp"

namespace rivet::core::shim {

// SIGCHLD, the cancel signals (SIGTERM, SIGINT, SIGUSR1) and SIGHUP (ignored). main() blocks
// them before anything else, so none is lost or acted on by default before the loop reads it.
sigset_t supervisedSignals();

struct SupervisionLimits {
  int timeout_seconds = 0;  // 0: none
  int kill_grace_seconds = 0;
};

class ActionSupervisor {
 public:
  // Makes the signalfd and timerfd. Called before the action starts, so that a failure here
  // leaves no action without a supervisor.
  static sdk::StatusOr<ActionSupervisor> create(SupervisionLimits limits);

  // Supervises the started action (a child of this process) until the execution has ended,
  // and says how it ended. An error means the loop itself failed (poll, read), not the action.
  sdk::StatusOr<ExecutionEnd> supervise(pid_t action_pid, std::int64_t started_at_ms);

 private:
  ActionSupervisor(SupervisionLimits limits, FileDescriptor signal_fd, FileDescriptor timer_fd);

  void reapChildren();
  void beginStopping(Outcome why);
  // Signals what remains of the tree (SIGTERM to processes not yet told, or SIGKILL to all
  // once the grace period is over); true once nothing remains.
  bool stopRemaining();
  void signalProcess(const ProcStat& process, int signal);
  void armTimer(std::chrono::milliseconds first, std::chrono::milliseconds interval);
  ExecutionEnd describeEnd() const;

  SupervisionLimits limits_;
  FileDescriptor signal_fd_;
  FileDescriptor timer_fd_;
  pid_t own_group_ = 0;

  pid_t action_pid_ = -1;
  std::int64_t started_at_ms_ = 0;
  std::optional<int> action_wait_status_;  // set once the action is reaped

  std::optional<Outcome> stop_reason_;  // timeout or canceled, once stopping began
  std::chrono::steady_clock::time_point kill_at_;
  std::set<pid_t> sent_sigterm_;
  bool sent_sigkill_ = false;
};

}  // namespace rivet::core::shim
