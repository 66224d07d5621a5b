// The files rivet-shim writes into the execution directory for rivetd, each atomically:
// supervisor.json (who supervises), started.json (the action runs) and status.json (how it
// ended). The shim writes them and rivetd reads them, through these functions only, to follow
// and after a restart re-adopt an execution; the format is the contract in README.md.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "rivet/sdk/status.hpp"

namespace rivet::core::shim {

// supervisor.json: pid + start_time name one process for the life of a boot, despite pid reuse.
struct SupervisorIdentity {
  pid_t pid = -1;
  std::uint64_t start_time = 0;  // field 22 of /proc/<pid>/stat
  std::string boot_id;           // /proc/sys/kernel/random/boot_id, no newline
};

// started.json.
struct StartedAction {
  pid_t pid = -1;  // also its process group id
  std::uint64_t start_time = 0;
  std::int64_t started_at_ms = 0;
};

enum class Outcome { exited, signaled, timeout, canceled, failed_to_start };

// status.json.
struct ExecutionEnd {
  Outcome outcome = Outcome::failed_to_start;
  std::optional<int> exit_code;  // the action's own exit code, when it exited
  std::optional<int> signal;     // the signal that killed the action, when one did
  std::string reason;            // for people: "exited with code 3", "timed out after 2 s; ..."
  std::optional<std::int64_t> started_at_ms;
  std::int64_t ended_at_ms = 0;
};

std::int64_t epochMs();

// This boot's id; empty if it cannot be read.
std::string currentBootId();

// The calling process's identity, as the shim records itself first thing.
sdk::Status writeSupervisorFile(const std::filesystem::path& execution_dir);
sdk::Status writeStartedFile(const std::filesystem::path& execution_dir,
                             const StartedAction& started);
sdk::Status writeStatusFile(const std::filesystem::path& execution_dir, const ExecutionEnd& end);

// Each: not_found when the file does not exist (yet), internal when it is not what the shim
// writes.
sdk::StatusOr<SupervisorIdentity> readSupervisorFile(const std::filesystem::path& execution_dir);
sdk::StatusOr<StartedAction> readStartedFile(const std::filesystem::path& execution_dir);
sdk::StatusOr<ExecutionEnd> readStatusFile(const std::filesystem::path& execution_dir);

}  // namespace rivet::core::shim
