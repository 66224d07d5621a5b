#include "sandbox_config.hpp"

#include <algorithm>
#include <cctype>

#include "rivet/sdk/config_reader.hpp"

namespace rivet::plugins::sandbox_cgroup {

namespace {

// Below 1 ms per 100 ms period the kernel refuses cpu.cfs_quota_us / cpu.max.
constexpr double kMinCpuShare = 0.01;
constexpr double kMaxCpuShare = 4096;

bool isSafeRelativePath(const std::string& path) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    const std::string part = path.substr(start, slash - start);
    if (!isSafeCgroupName(part)) return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

}  // namespace

bool isSafeCgroupName(const std::string& name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
  });
}

sdk::StatusOr<SandboxConfig> parseSandboxConfig(const sdk::PluginContext& context) {
  const sdk::ConfigReader reader("sandbox-cgroup", context.config, kConfigKeys);
  SandboxConfig config;

  config.parent = reader.text("parent");
  if (!isSafeRelativePath(config.parent)) {
    return reader.invalid("parent",
                          "a relative cgroup path of names made of letters, digits, '.', '_', '-'");
  }

  // An empty limit means no cap.
  if (!reader.text("memory_limit").empty()) {
    const auto memory = reader.bytes("memory_limit", 1);
    if (!memory.ok()) return memory.status();
    config.limits.memory_bytes = *memory;
  }
  if (!reader.text("cpu_limit").empty()) {
    const auto share = reader.decimal("cpu_limit", kMinCpuShare, kMaxCpuShare);
    if (!share.ok()) return share.status();
    config.limits.cpu_share = *share;
  }
  if (!reader.text("pids_limit").empty()) {
    const auto pids = reader.integer("pids_limit", 1);
    if (!pids.ok()) return pids.status();
    config.limits.pids = *pids;
  }

  const auto required = reader.boolean("required");
  if (!required.ok()) return required.status();
  config.required = *required;

  config.cgroup_root = reader.text("cgroup_root");
  if (config.cgroup_root.empty() || config.cgroup_root.front() != '/') {
    return reader.invalid("cgroup_root", "an absolute path");
  }
  while (config.cgroup_root.size() > 1 && config.cgroup_root.back() == '/') {
    config.cgroup_root.pop_back();
  }
  return config;
}

}  // namespace rivet::plugins::sandbox_cgroup
