// Starts the rivet-shim that supervises one execution (core/shim/README.md is the contract);
// its fd-3 line, read when it comes, says whether the action started.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "rivet/sdk/status.hpp"

namespace rivet::core {

struct SpawnedSupervisor {
  pid_t pid = -1;                    // the shim, a child of this rivetd
  int pidfd = -1;                    // readable once the shim has exited
  int report_fd = -1;                // non-blocking read end of its fd-3 pipe: one line, EOF
};

// Spawns `shim_path <execution_dir>` in its own session, with only stdin/stdout/stderr
// (/dev/null, and <execution_dir>/supervisor.log) and the report pipe on fd 3, so nothing of
// rivetd (its listening socket, its database) lives on in a shim that outlives it. Returns
// at once: the shim reports on `report_fd` once the action runs (or could not start).
sdk::StatusOr<SpawnedSupervisor> spawnSupervisor(const std::filesystem::path& shim_path,
                                                 const std::filesystem::path& execution_dir);

// Appends what `report_fd` has now to `report`; true once the report is complete (its line
// ended, or the shim closed the pipe without one: it died before reporting).
bool readReport(int report_fd, std::string& report);

// The action's pid from a complete report "started <pid>"; nullopt for "failed <reason>" or
// none (the start failure is in status.json too, and recorded when the shim exits).
std::optional<pid_t> startedActionPid(const std::string& report);

// A pidfd for a process this rivetd did not start (a re-adopted shim); -1 if it is gone.
int openPidfd(pid_t pid);

}  // namespace rivet::core
