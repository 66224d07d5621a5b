#include "cgroup_layout.hpp"

#include <unistd.h>

#include <libcgroup.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "cgroup_files.hpp"

namespace rivet::plugins::sandbox_cgroup {

namespace {

using sdk::ErrorCode;
using sdk::Status;

constexpr std::array<const char*, 5> kV1Controllers{"memory", "cpu", "cpuacct", "pids", "freezer"};
constexpr std::array<const char*, 3> kV2Controllers{"memory", "cpu", "pids"};

Status unusable(const std::string& message) { return {ErrorCode::unavailable, message}; }

std::string canonical(const std::string& path) {
  std::error_code ec;
  auto resolved = std::filesystem::canonical(path, ec);
  return ec ? path : resolved.string();
}

sdk::StatusOr<CgroupLayout> detectV2(const std::string& root) {
  const std::string listed = root + "/cgroup.controllers";
  const auto text = readText(listed);
  if (!text) return unusable("cannot read " + listed);
  std::istringstream in(*text);
  std::string name;
  std::map<std::string, bool> present;
  while (in >> name) present[name] = true;
  for (const char* controller : kV2Controllers) {
    if (!present[controller]) {
      return unusable(std::string("controller ") + controller + " is not in " + listed +
                      " (cgroup v2 at " + root + ")");
    }
  }
  if (::access(root.c_str(), W_OK) != 0) {
    return unusable(root + " (cgroup v2) is not writable by this process");
  }
  CgroupLayout layout;
  layout.version = CgroupVersion::v2;
  layout.mounts[""] = root;
  // The root has no memory.swap.max; each cell gets memory.swap.max = 0 when it has one.
  layout.swap_cap = true;
  return layout;
}

// libcgroup finds mounts through /proc/mounts, not through `root`: both must agree, or cells
// would be made in one place and read in another.
Status checkLibcgroupMounts(const CgroupLayout& layout) {
  if (const int rc = cgroup_init(); rc != 0) {
    return unusable(std::string("libcgroup cgroup_init: ") + cgroup_strerror(rc));
  }
  for (const auto& [controller, dir] : layout.mounts) {
    char* mount_point = nullptr;
    const int rc = cgroup_get_subsys_mount_point(controller.c_str(), &mount_point);
    if (rc != 0) {
      return unusable("libcgroup does not see controller " + controller + " (expected at " + dir +
                      "): " + cgroup_strerror(rc));
    }
    const std::string seen = canonical(mount_point);
    std::free(mount_point);
    if (seen != canonical(dir)) {
      return unusable("controller " + controller + " is mounted at " + seen + ", not at " + dir);
    }
  }
  return Status::success();
}

sdk::StatusOr<CgroupLayout> detectV1(const std::string& root) {
  CgroupLayout layout;
  layout.version = CgroupVersion::v1;
  for (const char* controller : kV1Controllers) {
    const std::string dir = root + "/" + controller;
    if (!fileExists(dir + "/cgroup.procs")) {
      return unusable(std::string("controller ") + controller + " is not mounted at " + dir +
                      " (cgroup v1), and " + root +
                      " is no cgroup v2 root either (no cgroup.controllers)");
    }
    if (::access(dir.c_str(), W_OK) != 0) {
      return unusable(std::string("controller ") + controller + " at " + dir +
                      " is not writable by this process");
    }
    layout.mounts[controller] = dir;
  }
  layout.swap_cap = fileExists(root + "/memory/memory.memsw.limit_in_bytes");
  if (auto status = checkLibcgroupMounts(layout); !status.ok()) return status;
  return layout;
}

}  // namespace

std::string CgroupLayout::describe() const {
  std::string text = version == CgroupVersion::v2 ? "cgroup v2" : "cgroup v1";
  text += " (";
  bool first = true;
  for (const auto& [controller, dir] : mounts) {
    if (!first) text += ", ";
    first = false;
    text += controller.empty() ? "unified at " + dir : controller + " at " + dir;
  }
  text += swap_cap ? "; swap capped with memory" : "; no swap cap";
  return text + ")";
}

sdk::StatusOr<CgroupLayout> detectCgroupLayout(const std::string& root) {
  if (fileExists(root + "/cgroup.controllers")) return detectV2(root);
  return detectV1(root);
}

}  // namespace rivet::plugins::sandbox_cgroup
