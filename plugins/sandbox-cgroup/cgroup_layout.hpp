// Which cgroup hierarchy a host offers, found once at configure(): cgroup v2 (one unified
// hierarchy mounted at the root, the needed controllers listed in its cgroup.controllers) or
// cgroup v1 (one mount per controller below the root, as on this project's build machines).
#pragma once

#include <map>
#include <string>

#include "rivet/sdk/status.hpp"

namespace rivet::plugins::sandbox_cgroup {

enum class CgroupVersion { v1, v2 };

struct CgroupLayout {
  CgroupVersion version = CgroupVersion::v1;
  // v1: controller -> its mount directory (memory, cpu, cpuacct, pids, freezer).
  // v2: the single entry "" -> the unified root.
  std::map<std::string, std::string> mounts;
  // The memory controller can cap swap as well: memory.memsw.* on v1, memory.swap.max on v2.
  bool swap_cap = false;

  // One line for the log, e.g. "cgroup v1 (memory at /sys/fs/cgroup/memory, ...)".
  std::string describe() const;
};

// The layout under `root`, or an `unavailable` Status whose message names the first unusable
// controller and where it was looked for. On v1 this also initialises libcgroup and checks
// that it sees each controller where the files are.
sdk::StatusOr<CgroupLayout> detectCgroupLayout(const std::string& root);

}  // namespace rivet::plugins::sandbox_cgroup
