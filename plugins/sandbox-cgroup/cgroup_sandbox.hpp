// The sandbox-cgroup plugin: one cgroup cell per execution, <parent>/<execution id>, capping
// memory (and swap), CPU bandwidth and process count, and counting peak memory, CPU time and
// OOM kills. Works on cgroup v1 (libcgroup) and v2 (direct file writes), found at configure().
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "cgroup_layout.hpp"
#include "rivet/sdk/sandbox.hpp"
#include "sandbox_config.hpp"

namespace rivet::plugins::sandbox_cgroup {

class CgroupSandbox final : public sdk::Sandbox {
 public:
  CgroupSandbox() = default;
  CgroupSandbox(const CgroupSandbox&) = delete;
  CgroupSandbox& operator=(const CgroupSandbox&) = delete;
  // Removes the parent cgroups when no cell is left in them (best effort).
  ~CgroupSandbox() override;

  sdk::Status configure(const sdk::PluginContext& context) override;
  sdk::SandboxState state() const override;
  sdk::StatusOr<sdk::SandboxCellPtr> createCell(const std::string& execution_id,
                                                const sdk::ResourceLimits& limits) override;
  sdk::StatusOr<sdk::SandboxCellPtr> openCell(const std::string& execution_id) override;

 private:
  // <parent>/<execution id>, or why there is no cell for it: `unavailable` while cgroups are
  // unusable, `invalid_argument` for an id that is no safe cgroup name.
  sdk::StatusOr<std::string> cellPath(const std::string& execution_id) const;

  SandboxConfig config_;
  std::optional<CgroupLayout> layout_;  // empty: cgroups unusable, see unusable_reason_
  std::string unusable_reason_ = "the plugin is not configured";
  std::mutex create_mutex_;  // libcgroup keeps global state
};

}  // namespace rivet::plugins::sandbox_cgroup
