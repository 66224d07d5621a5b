// cgroup v2 cells: one directory in the unified hierarchy. libcgroup 2.0 does not translate
// v1 names to v2 ones, so the v2 files (memory.max, cpu.max, pids.max, cgroup.kill,
// memory.peak) are written and read directly.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "cgroup_cell.hpp"
#include "cgroup_files.hpp"

namespace rivet::plugins::sandbox_cgroup {

namespace {

using sdk::ErrorCode;
using sdk::Status;

constexpr const char* kEnableControllers = "+memory +cpu +pids";

class V2Cell final : public CgroupCell {
 public:
  explicit V2Cell(const std::string& dir) : CgroupCell({dir}), dir_(dir) {}
  ~V2Cell() override { destroyQuietly(); }

  std::vector<std::string> joinFiles() const override { return {dir_ + "/cgroup.procs"}; }

  // cgroup.kill (Linux 5.14+) kills the whole subtree atomically; older kernels get the
  // freeze-kill-thaw loop through cgroup.freeze.
  Status killAll() override {
    const std::string procs = dir_ + "/cgroup.procs";
    if (!fileExists(procs)) return Status::success();
    if (fileExists(dir_ + "/cgroup.kill")) {
      if (const int error = writeText(dir_ + "/cgroup.kill", "1"); error != 0) {
        return {ErrorCode::internal,
                "[sandbox-cgroup] " + describeError(dir_ + "/cgroup.kill", error)};
      }
      if (waitUntilEmpty(procs)) return Status::success();
      return {ErrorCode::internal, "[sandbox-cgroup] " + procs + " still lists processes"};
    }
    return freezeAndKill(procs, dir_ + "/cgroup.freeze", "1", "0");
  }

  sdk::ResourceUsage usage() const override {
    sdk::ResourceUsage usage;
    usage.peak_memory_bytes = readNumber(dir_ + "/memory.peak");  // Linux 5.19+
    usage.cpu_time_us = readKeyedNumber(dir_ + "/cpu.stat", "usage_usec");
    usage.oom_killed = readKeyedNumber(dir_ + "/memory.events", "oom_kill").value_or(0) > 0;
    return usage;
  }

 private:
  std::string dir_;
};

Status writeOrFail(const std::string& file, const std::string& value) {
  if (const int error = writeText(file, value); error != 0) {
    return {ErrorCode::internal,
            "[sandbox-cgroup] writing '" + value + "' to " + describeError(file, error)};
  }
  return Status::success();
}

// Makes every ancestor of the cell below the root and lets the controllers reach the cell:
// a v2 controller is usable in a cgroup only when its parent lists it in subtree_control.
Status prepareAncestors(const std::string& root, const std::string& relative) {
  std::string dir = root;
  std::size_t start = 0;
  for (;;) {
    if (auto status = writeOrFail(dir + "/cgroup.subtree_control", kEnableControllers);
        !status.ok()) {
      return status;
    }
    const std::size_t slash = relative.find('/', start);
    if (slash == std::string::npos) return Status::success();
    dir = root + "/" + relative.substr(0, slash);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return {ErrorCode::internal, "[sandbox-cgroup] mkdir " + describeError(dir, errno)};
    }
    start = slash + 1;
  }
}

Status applyLimits(const std::string& dir, const sdk::ResourceLimits& limits) {
  if (limits.memory_bytes) {
    if (auto status = writeOrFail(dir + "/memory.max", std::to_string(*limits.memory_bytes));
        !status.ok()) {
      return status;
    }
    // Without this the action swaps instead of being OOM-killed at its cap.
    if (fileExists(dir + "/memory.swap.max")) {
      if (auto status = writeOrFail(dir + "/memory.swap.max", "0"); !status.ok()) return status;
    }
  }
  if (limits.cpu_share) {
    const std::string value =
        std::to_string(cpuQuotaUs(*limits.cpu_share)) + " " + std::to_string(kCpuPeriodUs);
    if (auto status = writeOrFail(dir + "/cpu.max", value); !status.ok()) return status;
  }
  if (limits.pids) {
    if (auto status = writeOrFail(dir + "/pids.max", std::to_string(*limits.pids)); !status.ok()) {
      return status;
    }
  }
  return Status::success();
}

}  // namespace

sdk::StatusOr<sdk::SandboxCellPtr> createV2Cell(const CgroupLayout& layout,
                                                const std::string& relative,
                                                const sdk::ResourceLimits& limits) {
  const std::string& root = layout.mounts.at("");
  if (auto status = prepareAncestors(root, relative); !status.ok()) return status;
  const std::string dir = root + "/" + relative;
  if (::mkdir(dir.c_str(), 0755) != 0) {
    const int error = errno;
    return Status(error == EEXIST ? ErrorCode::conflict : ErrorCode::internal,
                  "[sandbox-cgroup] cannot make the cell: " + describeError(dir, error));
  }
  auto cell = std::make_unique<V2Cell>(dir);  // removes the directory if limits fail
  if (auto status = applyLimits(dir, limits); !status.ok()) return status;
  return sdk::SandboxCellPtr(std::move(cell));
}

sdk::StatusOr<sdk::SandboxCellPtr> openV2Cell(const CgroupLayout& layout,
                                              const std::string& relative) {
  auto dirs = existingCellDirectories(layout, relative);
  if (!dirs.ok()) return dirs.status();
  return sdk::SandboxCellPtr(std::make_unique<V2Cell>(dirs->at("")));
}

}  // namespace rivet::plugins::sandbox_cgroup
