#include "packs/action_limits.hpp"

#include <array>
#include <map>
#include <string>

#include "packs/metadata_error.hpp"
#include "packs/metadata_fields.hpp"
#include "rivet/sdk/config_reader.hpp"

namespace rivet::core {
namespace {

// Read with the same rules (and messages) as the sandbox plugin's own config keys.
constexpr std::array<sdk::ConfigKeySpec, 3> kLimitKeys{{
    {"memory", "bytes", "", "memory cap, e.g. 256M"},
    {"cpu", "number", "", "CPU cap as a share of one CPU, e.g. 0.5"},
    {"pids", "integer", "", "most processes at once"},
}};
// Below 1 ms of CPU per 100 ms period the kernel refuses the quota.
constexpr double kMinCpuShare = 0.01;
constexpr double kMaxCpuShare = 4096;

template <typename T>
void setOrThrow(std::optional<T>& target, const sdk::StatusOr<T>& value, const YAML::Mark& mark) {
  if (!value.ok()) throw MetadataError(value.status().message(), mark);
  target = *value;
}

}  // namespace

sdk::ResourceLimits readActionLimits(const YAML::Node& action) {
  sdk::ResourceLimits limits;
  const auto rivet = optionalField(action, "rivet");
  if (!rivet) return limits;
  if (!rivet->IsMap()) throw MetadataError("rivet must be a map (limits)", rivet->Mark());
  for (const auto& entry : *rivet) {
    if (entry.first.Scalar() != "limits") {
      throw MetadataError("rivet." + entry.first.Scalar() + " is not a Rivet key (limits)",
                          entry.first.Mark());
    }
  }
  const auto node = optionalField(*rivet, "limits");
  if (!node) return limits;
  if (!node->IsMap()) {
    throw MetadataError("rivet.limits must be a map (memory, cpu, pids)", node->Mark());
  }
  std::map<std::string, std::string> values;
  for (const auto& entry : *node) {
    if (!entry.second.IsScalar()) {
      throw MetadataError("rivet.limits." + entry.first.Scalar() + " must be a single value",
                          entry.second.Mark());
    }
    values[entry.first.Scalar()] = entry.second.Scalar();
  }
  const sdk::ConfigReader reader("rivet.limits", values, kLimitKeys);
  if (const auto known = reader.checkKnownKeys(); !known.ok()) {
    throw MetadataError(known.message(), node->Mark());
  }
  if (values.contains("memory")) {
    setOrThrow(limits.memory_bytes, reader.bytes("memory", 1), (*node)["memory"].Mark());
  }
  if (values.contains("cpu")) {
    setOrThrow(limits.cpu_share, reader.decimal("cpu", kMinCpuShare, kMaxCpuShare),
               (*node)["cpu"].Mark());
  }
  if (values.contains("pids")) {
    setOrThrow(limits.pids, reader.integer("pids", 1), (*node)["pids"].Mark());
  }
  return limits;
}

}  // namespace rivet::core
