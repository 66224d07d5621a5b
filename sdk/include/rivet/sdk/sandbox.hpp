// Resource limits around each execution (cgroups in plugins/sandbox-cgroup). The host makes
// one cell per execution before the action starts; the action's processes join the cell
// before exec, so nothing escapes it; the host's own supervisor stays outside.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"
#include "rivet/sdk/types.hpp"

namespace rivet::sdk {

class BOOST_SYMBOL_VISIBLE SandboxCell {
 public:
  virtual ~SandboxCell() = default;
  // Files into which a process writes its own pid (as decimal text) to join the cell. The
  // host's child does this after fork and before exec, with async-signal-safe calls only.
  virtual std::vector<std::string> joinFiles() const = 0;
  // Kills every process in the cell, including double-forked and setsid'd ones; returns once
  // none is left (or fails saying what survived).
  virtual Status killAll() = 0;
  // What the cell's processes used so far (peak memory, CPU time, OOM kills).
  virtual ResourceUsage usage() const = 0;
  // Removes the cell; call once its processes are gone. Destroying the object removes an
  // empty cell and leaves one with processes in place (rivetd may stop while actions run on).
  virtual Status destroy() = 0;
};

using SandboxCellPtr = std::unique_ptr<SandboxCell>;

// What the sandbox can do on this host, for health and the log.
struct SandboxState {
  bool usable = false;     // false: actions run uncapped (config allowed it), see description
  std::string description; // e.g. "cgroup v1 (memory at /sys/fs/cgroup/memory, ...)", or why not
  ResourceLimits limits;   // the configured caps every cell gets at most
};

class BOOST_SYMBOL_VISIBLE Sandbox : public Plugin {
 public:
  virtual SandboxState state() const = 0;

  // Makes the cell of one execution, capped by the tighter of `limits` (the action's) and the
  // configured limits. unavailable when the sandbox is not usable.
  virtual StatusOr<SandboxCellPtr> createCell(const std::string& execution_id,
                                              const ResourceLimits& limits) = 0;
  // The cell an earlier rivetd made for `execution_id`, for an execution re-adopted after a
  // restart; not_found if there is none (it ran uncapped, or its cell is gone).
  virtual StatusOr<SandboxCellPtr> openCell(const std::string& execution_id) = 0;
};

}  // namespace rivet::sdk
