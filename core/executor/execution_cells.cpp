#include "executor/execution_cells.hpp"

#include <cstdio>

#include "shim/launch_request.hpp"

namespace rivet::core {

using sdk::ErrorCode;
using sdk::Status;

namespace {

std::string mebibytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

}  // namespace

sdk::StatusOr<SandboxCellSharedPtr> ExecutionCells::open(const std::string& id,
                                                         const std::filesystem::path& dir,
                                                         const sdk::ResourceLimits& limits) {
  if (!usable_) return SandboxCellSharedPtr();
  auto made = sandbox_->createCell(id, limits);
  if (made.status().code() == ErrorCode::conflict) {
    if (auto leftover = reopen(id)) close(id, *leftover);
    made = sandbox_->createCell(id, limits);
  }
  if (!made.ok()) {
    return Status(made.status().code(), "cannot make its sandbox cell: " + made.status().message());
  }
  SandboxCellSharedPtr cell(std::move(made).value());

  const auto launch_file = dir / "launch.json";
  auto launch = shim::readLaunchRequest(launch_file);
  Status written = launch.status();
  if (launch.ok()) {
    launch->process.join_files = cell->joinFiles();
    written = shim::writeLaunchRequest(launch_file, *launch);
  }
  if (!written.ok()) {
    close(id, *cell);
    return Status(written.code(), "cannot name its sandbox cell in " + launch_file.string() +
                                      ": " + written.message());
  }
  return cell;
}

SandboxCellSharedPtr ExecutionCells::reopen(const std::string& id) {
  if (!usable_) return nullptr;
  auto cell = sandbox_->openCell(id);
  if (cell.ok()) return SandboxCellSharedPtr(std::move(cell).value());
  if (cell.status().code() != ErrorCode::not_found) {
    log_.log(sdk::LogLevel::warning,
             "execution " + id + ": cannot open its sandbox cell: " + cell.status().message());
  }
  return nullptr;
}

sdk::ResourceUsage ExecutionCells::close(const std::string& id, sdk::SandboxCell& cell) {
  if (auto killed = cell.killAll(); !killed.ok()) {
    log_.log(sdk::LogLevel::error,
             "execution " + id + ": processes left in its sandbox cell: " + killed.message());
  }
  auto usage = cell.usage();
  if (auto removed = cell.destroy(); !removed.ok()) {
    log_.log(sdk::LogLevel::error,
             "execution " + id + ": its sandbox cell stays: " + removed.message());
  }
  return usage;
}

void recordUsage(sdk::ExecutionUpdate& update, const sdk::ResourceUsage& usage) {
  update.usage = usage;
  if (!usage.oom_killed || update.status != sdk::ExecutionStatus::failed) return;
  std::string reason = "out of memory: the OOM killer ended a process at the sandbox's memory cap";
  if (usage.peak_memory_bytes) reason += " (peak " + mebibytes(*usage.peak_memory_bytes) + ")";
  if (!update.reason.empty()) reason += "; " + update.reason;
  update.reason = std::move(reason);
}

}  // namespace rivet::core
