#include "cgroup_sandbox.hpp"

#include <unistd.h>

#include <exception>

#include "cgroup_cell.hpp"

namespace rivet::plugins::sandbox_cgroup {

using sdk::ErrorCode;
using sdk::Status;

namespace {

bool valid(const std::optional<double>& share) { return !share || *share > 0; }
template <typename T>
bool valid(const std::optional<T>& count) {
  return !count || *count > 0;
}

}  // namespace

CgroupSandbox::~CgroupSandbox() {
  if (!layout_) return;
  for (const auto& [controller, mount] : layout_->mounts) {
    std::string relative = config_.parent;
    for (;;) {
      if (::rmdir((mount + "/" + relative).c_str()) != 0) break;  // cells remain, or a stranger
      const std::size_t slash = relative.rfind('/');
      if (slash == std::string::npos) break;
      relative.resize(slash);
    }
  }
}

Status CgroupSandbox::configure(const sdk::PluginContext& context) {
  try {
    auto config = parseSandboxConfig(context);
    if (!config.ok()) return config.status();
    config_ = std::move(config).value();

    auto layout = detectCgroupLayout(config_.cgroup_root);
    if (!layout.ok()) {
      unusable_reason_ = layout.status().message();
      if (config_.required) {
        return {ErrorCode::unavailable,
                "[sandbox-cgroup] cgroups unusable (required = true): " + unusable_reason_};
      }
      context.logger->log(sdk::LogLevel::warning,
                          "[sandbox-cgroup] cgroups unusable, actions will run without resource "
                          "caps: " +
                              unusable_reason_);
      return Status::success();
    }
    layout_ = std::move(layout).value();
    context.logger->log(sdk::LogLevel::info, "[sandbox-cgroup] " + state().description);
    return Status::success();
  } catch (const std::exception& e) {
    return {ErrorCode::internal, std::string("[sandbox-cgroup] configure: ") + e.what()};
  }
}

sdk::SandboxState CgroupSandbox::state() const {
  sdk::SandboxState state;
  state.usable = layout_.has_value();
  state.description = layout_ ? layout_->describe() + "; cells under " + config_.parent
                              : "cgroups unusable: " + unusable_reason_;
  state.limits = config_.limits;
  return state;
}

sdk::StatusOr<std::string> CgroupSandbox::cellPath(const std::string& execution_id) const {
  if (!layout_) return Status(ErrorCode::unavailable, state().description);
  if (!isSafeCgroupName(execution_id)) {
    return Status(ErrorCode::invalid_argument,
                  "[sandbox-cgroup] execution id '" + execution_id +
                      "' is not usable as a cgroup name (letters, digits, '.', '_', '-')");
  }
  return config_.parent + "/" + execution_id;
}

sdk::StatusOr<sdk::SandboxCellPtr> CgroupSandbox::createCell(const std::string& execution_id,
                                                             const sdk::ResourceLimits& limits) {
  try {
    const auto relative = cellPath(execution_id);
    if (!relative.ok()) return relative.status();
    if (!valid(limits.memory_bytes) || !valid(limits.cpu_share) || !valid(limits.pids)) {
      return Status(ErrorCode::invalid_argument, "[sandbox-cgroup] a limit of 0 or below");
    }
    const sdk::ResourceLimits effective = sdk::tighterLimits(limits, config_.limits);

    const std::lock_guard lock(create_mutex_);
    return layout_->version == CgroupVersion::v1 ? createV1Cell(*layout_, *relative, effective)
                                                 : createV2Cell(*layout_, *relative, effective);
  } catch (const std::exception& e) {
    return Status(ErrorCode::internal, std::string("[sandbox-cgroup] createCell: ") + e.what());
  }
}

sdk::StatusOr<sdk::SandboxCellPtr> CgroupSandbox::openCell(const std::string& execution_id) {
  try {
    const auto relative = cellPath(execution_id);
    if (!relative.ok()) return relative.status();
    return layout_->version == CgroupVersion::v1 ? openV1Cell(*layout_, *relative)
                                                 : openV2Cell(*layout_, *relative);
  } catch (const std::exception& e) {
    return Status(ErrorCode::internal, std::string("[sandbox-cgroup] openCell: ") + e.what());
  }
}

}  // namespace rivet::plugins::sandbox_cgroup
