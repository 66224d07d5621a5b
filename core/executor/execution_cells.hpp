// The sandbox side of executions. Each execution gets its own cell just before it starts, and
// its processes join the cell before exec (the launch file names the join files). At its end
// the cell is emptied through the cgroup, so nothing the action left behind (a double-forked,
// setsid'd daemon) outlives it; what it used is read; and the cell is removed.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/sandbox.hpp"

namespace rivet::core {

using SandboxCellSharedPtr = std::shared_ptr<sdk::SandboxCell>;

class ExecutionCells {
 public:
  // `sandbox` may be null (no sandbox plugin loaded) or unusable (its config allowed that):
  // then executions run uncapped and record no usage.
  // Whether the sandbox is usable is settled at its configure(), so it is read once here, not
  // on every launch.
  ExecutionCells(sdk::Sandbox* sandbox, sdk::Logger& log)
      : sandbox_(sandbox), usable_(sandbox != nullptr && sandbox->state().usable), log_(log) {}

  // Makes the cell of execution `id` under `limits` (the action's; the sandbox applies the
  // tighter of those and its own) and writes its join files into <dir>/launch.json. Null
  // without a usable sandbox. A cell left by an earlier rivetd under the same id (it stopped
  // between making the cell and starting the action) is emptied and replaced.
  sdk::StatusOr<SandboxCellSharedPtr> open(const std::string& id, const std::filesystem::path& dir,
                                           const sdk::ResourceLimits& limits);

  // The cell an earlier rivetd made for `id`, for an execution it re-adopts; null if none.
  SandboxCellSharedPtr reopen(const std::string& id);

  // Kills whatever is left in the cell, reads what the execution used and removes the cell.
  // Failures are logged: the execution's end is recorded regardless.
  sdk::ResourceUsage close(const std::string& id, sdk::SandboxCell& cell);

 private:
  sdk::Sandbox* sandbox_;
  bool usable_;
  sdk::Logger& log_;
};

// Adds what the execution used to its terminal update. An OOM kill becomes the reason of a
// failure, ahead of what the exit status says (a shell reports its OOM-killed child as 137).
void recordUsage(sdk::ExecutionUpdate& update, const sdk::ResourceUsage& usage);

}  // namespace rivet::core
