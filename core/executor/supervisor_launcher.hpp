// Starts the rivet-shim that supervises one execution (core/shim/README.md is the contract)
// and learns from its fd-3 line whether the action started.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "rivet/sdk/status.hpp"

namespace rivet::core {

struct LaunchedSupervisor {
  pid_t pid = -1;                    // the shim, a child of this rivetd
  int pidfd = -1;                    // readable once the shim has exited
  std::optional<pid_t> action_pid;   // set when the shim reported "started <pid>"
  std::string failure;               // the shim's "failed <reason>", otherwise empty
};

// Spawns `shim_path <execution_dir>` in its own session, with only stdin/stdout/stderr
// (/dev/null, and <execution_dir>/supervisor.log) and the report pipe on fd 3, so nothing of
// rivetd (its listening socket, its database) lives on in a shim that outlives it.
sdk::StatusOr<LaunchedSupervisor> launchSupervisor(const std::filesystem::path& shim_path,
                                                   const std::filesystem::path& execution_dir);

// A pidfd for a process this rivetd did not start (a re-adopted shim); -1 if it is gone.
int openPidfd(pid_t pid);

}  // namespace rivet::core
