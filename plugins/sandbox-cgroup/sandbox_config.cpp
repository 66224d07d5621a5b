#include "sandbox_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace rivet::plugins::sandbox_cgroup {

using sdk::ErrorCode;
using sdk::Status;

namespace {

// Below 1 ms per 100 ms period the kernel refuses cpu.cfs_quota_us / cpu.max.
constexpr double kMinCpuShare = 0.01;
constexpr double kMaxCpuShare = 4096;

std::string configValue(const sdk::PluginContext& context, std::string_view key) {
  if (auto found = context.config.find(std::string(key)); found != context.config.end()) {
    return found->second;
  }
  for (const auto& spec : kConfigKeys) {
    if (key == spec.name) return spec.default_value;
  }
  return {};
}

Status invalidValue(std::string_view key, const std::string& value, std::string_view expected) {
  return {ErrorCode::invalid_argument, "[sandbox-cgroup] " + std::string(key) + " = '" + value +
                                           "': expected " + std::string(expected)};
}

std::optional<std::uint64_t> parseWhole(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [parsed_end, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || parsed_end != end) return std::nullopt;
  return value;
}

// "512", "64K", "512M", "2G", "1T" (1024-based, case-insensitive) as bytes.
std::optional<std::uint64_t> parseBytes(std::string_view text) {
  std::uint64_t unit = 1;
  if (!text.empty() && std::isalpha(static_cast<unsigned char>(text.back())) != 0) {
    switch (std::toupper(static_cast<unsigned char>(text.back()))) {
      case 'K':
        unit = 1ULL << 10;
        break;
      case 'M':
        unit = 1ULL << 20;
        break;
      case 'G':
        unit = 1ULL << 30;
        break;
      case 'T':
        unit = 1ULL << 40;
        break;
      default:
        return std::nullopt;
    }
    text.remove_suffix(1);
  }
  const auto count = parseWhole(text);
  if (!count || *count == 0 || *count > std::numeric_limits<std::uint64_t>::max() / unit) {
    return std::nullopt;
  }
  return *count * unit;
}

std::optional<double> parseShare(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [parsed_end, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || parsed_end != end || !std::isfinite(value) ||
      value < kMinCpuShare || value > kMaxCpuShare) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> parseBoolean(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
  if (text == "false" || text == "no" || text == "off" || text == "0") return false;
  return std::nullopt;
}

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
  SandboxConfig config;

  config.parent = configValue(context, "parent");
  if (!isSafeRelativePath(config.parent)) {
    return invalidValue("parent", config.parent,
                        "a relative cgroup path of names made of letters, digits, '.', '_', '-'");
  }

  if (const auto text = configValue(context, "memory_limit"); !text.empty()) {
    config.limits.memory_bytes = parseBytes(text);
    if (!config.limits.memory_bytes) {
      return invalidValue("memory_limit", text, "a byte count > 0 with an optional K/M/G/T suffix");
    }
  }
  if (const auto text = configValue(context, "cpu_limit"); !text.empty()) {
    config.limits.cpu_share = parseShare(text);
    if (!config.limits.cpu_share) {
      return invalidValue("cpu_limit", text, "a share of one CPU between 0.01 and 4096, e.g. 0.25");
    }
  }
  if (const auto text = configValue(context, "pids_limit"); !text.empty()) {
    config.limits.pids = parseWhole(text);
    if (!config.limits.pids || *config.limits.pids == 0) {
      return invalidValue("pids_limit", text, "a whole number of processes >= 1");
    }
  }

  const auto required_text = configValue(context, "required");
  const auto required = parseBoolean(required_text);
  if (!required) return invalidValue("required", required_text, "true or false");
  config.required = *required;

  config.cgroup_root = configValue(context, "cgroup_root");
  if (config.cgroup_root.empty() || config.cgroup_root.front() != '/') {
    return invalidValue("cgroup_root", config.cgroup_root, "an absolute path");
  }
  while (config.cgroup_root.size() > 1 && config.cgroup_root.back() == '/') {
    config.cgroup_root.pop_back();
  }
  return config;
}

}  // namespace rivet::plugins::sandbox_cgroup
