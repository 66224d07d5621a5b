// cgroup v1 cells: one directory per controller (memory, cpu, cpuacct, pids, freezer), made
// and limited through libcgroup; killed through the freezer; read from the v1 files.
#include <sys/stat.h>

#include <libcgroup.h>

#include <map>
#include <memory>

#include "cgroup_cell.hpp"
#include "cgroup_files.hpp"

namespace rivet::plugins::sandbox_cgroup {

namespace {

using sdk::ErrorCode;
using sdk::Status;

class V1Cell final : public CgroupCell {
 public:
  explicit V1Cell(const std::map<std::string, std::string>& dirs)
      : CgroupCell(valuesOf(dirs)), by_controller_(dirs) {}
  ~V1Cell() override { destroyQuietly(); }

  std::vector<std::string> joinFiles() const override {
    std::vector<std::string> files;
    for (const auto& [controller, dir] : by_controller_) files.push_back(dir + "/cgroup.procs");
    return files;
  }

  // The freezer holds every process that joined; a process that joined only some controllers
  // is killed from those (still under the frozen freezer's cover for the others). A cell left
  // by a crash while it was being made may lack the freezer: the others are emptied unfrozen.
  Status killAll() override {
    const std::string* freezer = dirOf("freezer");
    const std::string freeze_file = freezer ? *freezer + "/freezer.state" : "";
    const auto killIn = [&freeze_file](const std::string& dir) {
      return freezeAndKill(dir + "/cgroup.procs", freeze_file, "FROZEN", "THAWED");
    };
    if (freezer) {
      if (auto status = killIn(*freezer); !status.ok()) return status;
    }
    for (const auto& [controller, dir] : by_controller_) {
      if (controller == "freezer") continue;
      if (auto status = killIn(dir); !status.ok()) return status;
    }
    return Status::success();
  }

  sdk::ResourceUsage usage() const override {
    sdk::ResourceUsage usage;
    if (const std::string* memory = dirOf("memory")) {
      usage.peak_memory_bytes = readNumber(*memory + "/memory.max_usage_in_bytes");
      usage.oom_killed =
          readKeyedNumber(*memory + "/memory.oom_control", "oom_kill").value_or(0) > 0;
    }
    if (const std::string* cpuacct = dirOf("cpuacct")) {
      if (auto ns = readNumber(*cpuacct + "/cpuacct.usage")) usage.cpu_time_us = *ns / 1000;
    }
    return usage;
  }

 private:
  // The cell's directory in `controller`; null when a crash left it without one.
  const std::string* dirOf(const std::string& controller) const {
    const auto found = by_controller_.find(controller);
    return found == by_controller_.end() ? nullptr : &found->second;
  }

  static std::vector<std::string> valuesOf(const std::map<std::string, std::string>& dirs) {
    std::vector<std::string> values;
    for (const auto& [controller, dir] : dirs) values.push_back(dir);
    return values;
  }

  std::map<std::string, std::string> by_controller_;  // controller -> the cell's directory
};

struct CgroupFree {
  void operator()(cgroup* group) const { cgroup_free(&group); }
};

Status libcgroupError(const std::string& what, int rc) {
  return {ErrorCode::internal, "[sandbox-cgroup] " + what + ": " + cgroup_strerror(rc)};
}

// The values libcgroup writes when it creates the cell, in an order the kernel accepts:
// the cfs period before the quota, the memory limit before memsw (which may not be below it).
Status addLimits(cgroup_controller* controller, const std::string& name, bool swap_cap,
                 const sdk::ResourceLimits& limits) {
  int rc = 0;
  if (name == "memory" && limits.memory_bytes) {
    rc = cgroup_add_value_uint64(controller, "memory.limit_in_bytes", *limits.memory_bytes);
    if (rc == 0 && swap_cap) {
      rc = cgroup_add_value_uint64(controller, "memory.memsw.limit_in_bytes", *limits.memory_bytes);
    }
  } else if (name == "cpu" && limits.cpu_share) {
    rc = cgroup_add_value_uint64(controller, "cpu.cfs_period_us", kCpuPeriodUs);
    if (rc == 0) {
      rc = cgroup_add_value_uint64(controller, "cpu.cfs_quota_us", cpuQuotaUs(*limits.cpu_share));
    }
  } else if (name == "pids" && limits.pids) {
    rc = cgroup_add_value_uint64(controller, "pids.max", *limits.pids);
  }
  return rc == 0 ? Status::success() : libcgroupError("cannot add a " + name + " limit", rc);
}

}  // namespace

sdk::StatusOr<sdk::SandboxCellPtr> createV1Cell(const CgroupLayout& layout,
                                                const std::string& relative,
                                                const sdk::ResourceLimits& limits) {
  const auto dirs = cellDirectories(layout, relative);
  for (const auto& [controller, dir] : dirs) {
    if (fileExists(dir)) {
      return Status(ErrorCode::conflict, "[sandbox-cgroup] the cell exists already: " + dir);
    }
  }

  const std::unique_ptr<cgroup, CgroupFree> group(cgroup_new_cgroup(relative.c_str()));
  if (!group) return Status(ErrorCode::internal, "[sandbox-cgroup] cgroup_new_cgroup failed");
  for (const auto& [name, mount] : layout.mounts) {
    cgroup_controller* controller = cgroup_add_controller(group.get(), name.c_str());
    if (controller == nullptr) {
      return Status(ErrorCode::internal, "[sandbox-cgroup] cgroup_add_controller " + name);
    }
    if (auto status = addLimits(controller, name, layout.swap_cap, limits); !status.ok()) {
      return status;
    }
  }

  // The cell object owns the directories from here on: a failed create removes what it made.
  auto cell = std::make_unique<V1Cell>(dirs);
  if (const int rc = cgroup_create_cgroup(group.get(), 0); rc != 0) {
    return libcgroupError("cannot create " + relative + " with its limits", rc);
  }
  return sdk::SandboxCellPtr(std::move(cell));
}

sdk::StatusOr<sdk::SandboxCellPtr> openV1Cell(const CgroupLayout& layout,
                                              const std::string& relative) {
  auto dirs = existingCellDirectories(layout, relative);
  if (!dirs.ok()) return dirs.status();
  return sdk::SandboxCellPtr(std::make_unique<V1Cell>(*dirs));
}

}  // namespace rivet::plugins::sandbox_cgroup
