// Resource limits around each execution (cgroups in plugins/sandbox-cgroup). The host makes
// one cell per execution before the action starts; the action's processes join the cell
// before exec, so nothing escapes it; the host's own supervisor stays outside.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::sdk {

struct ResourceLimits {
  std::optional<std::uint64_t> memory_bytes;
  std::optional<double> cpu_share;        // of one CPU: 0.25 = a quarter of one core
  std::optional<std::uint64_t> pids;
};

struct ResourceUsage {
  std::optional<std::uint64_t> peak_memory_bytes;
  std::optional<std::uint64_t> cpu_time_us;
  bool oom_killed = false;
};

class BOOST_SYMBOL_VISIBLE SandboxCell {
 public:
  virtual ~SandboxCell() = default;
  // Files into which a process writes its own pid (as decimal text) to join the cell. The
  // host's child does this after fork and before exec, with async-signal-safe calls only.
  virtual std::vector<std::string> joinFiles() const = 0;
  // Kills every process in the cell, including double-forked ones.
  virtual Status killAll() = 0;
  virtual ResourceUsage usage() const = 0;
  // Removes the cell; call once its processes are gone.
  virtual Status destroy() = 0;
};

using SandboxCellPtr = std::unique_ptr<SandboxCell>;

class BOOST_SYMBOL_VISIBLE Sandbox : public Plugin {
 public:
  // Makes the cell of one execution with the given limits (already the tighter of config
  // and action metadata).
  virtual StatusOr<SandboxCellPtr> createCell(const std::string& execution_id,
                                              const ResourceLimits& limits) = 0;
};

}  // namespace rivet::sdk
