// The [sandbox-cgroup] config section: its key table and its parsing into SandboxConfig.
#pragma once

#include <array>
#include <string>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/sandbox.hpp"

namespace rivet::plugins::sandbox_cgroup {

inline constexpr std::array<sdk::ConfigKeySpec, 6> kConfigKeys{{
    {"parent", "string", "rivet",
     "cgroup under which cells are made, as <parent>/<execution id> in every controller"},
    {"memory_limit", "bytes", "",
     "memory cap of every cell, e.g. 512M (suffix K, M, G or T; 1024-based); empty: none"},
    {"cpu_limit", "number", "",
     "CPU cap of every cell as a share of one CPU, e.g. 0.25; empty: none"},
    {"pids_limit", "integer", "", "most processes a cell may hold at once; empty: none"},
    {"required", "boolean", "false",
     "refuse to start when cgroups are unusable (false: start, warn, and run actions uncapped)"},
    {"cgroup_root", "path", "/sys/fs/cgroup", "where cgroup filesystems are mounted (for tests)"},
}};

struct SandboxConfig {
  std::string parent = "rivet";
  sdk::ResourceLimits limits;  // the configured caps; unset: none
  bool required = false;
  std::string cgroup_root = "/sys/fs/cgroup";
};

sdk::StatusOr<SandboxConfig> parseSandboxConfig(const sdk::PluginContext& context);

// True for a name usable as one path component of a cgroup: letters, digits, '.', '_', '-',
// not starting with '.'.
bool isSafeCgroupName(const std::string& name);

}  // namespace rivet::plugins::sandbox_cgroup
