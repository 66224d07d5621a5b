#include "cgroup_cell.hpp"

#include <csignal>

#include <chrono>
#include <thread>

#include "cgroup_files.hpp"

namespace rivet::plugins::sandbox_cgroup {

namespace {

using namespace std::chrono_literals;

constexpr auto kRemovalPatience = 500ms;
constexpr auto kKillPatience = 2s;
constexpr auto kPollInterval = 5ms;

}  // namespace

sdk::Status CgroupCell::destroy() {
  std::vector<std::string> remaining;
  std::string failures;
  // Deepest first, in case a caller made dirs nested; a cell's own dirs are siblings.
  for (auto dir = dirs_.rbegin(); dir != dirs_.rend(); ++dir) {
    if (const int error = removeCgroupDirectory(*dir, kRemovalPatience); error != 0) {
      remaining.insert(remaining.begin(), *dir);
      failures += (failures.empty() ? "" : "; ") + describeError(*dir, error);
    }
  }
  dirs_ = std::move(remaining);
  if (dirs_.empty()) return sdk::Status::success();
  return {sdk::ErrorCode::conflict,
          "[sandbox-cgroup] cannot remove the cell (processes still inside?): " + failures};
}

void CgroupCell::destroyQuietly() noexcept {
  for (const auto& dir : dirs_) removeCgroupDirectory(dir, std::chrono::milliseconds(0));
  dirs_.clear();
}

bool waitUntilEmpty(const std::string& procs_file) {
  const auto deadline = std::chrono::steady_clock::now() + kKillPatience;
  while (!readPids(procs_file).empty()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

sdk::Status freezeAndKill(const std::string& procs_file, const std::string& freeze_file,
                          const std::string& frozen, const std::string& thawed) {
  if (!fileExists(procs_file)) return sdk::Status::success();  // already destroyed
  const auto deadline = std::chrono::steady_clock::now() + kKillPatience;
  for (;;) {
    auto pids = readPids(procs_file);
    if (pids.empty()) return sdk::Status::success();
    if (std::chrono::steady_clock::now() >= deadline) break;
    const bool froze = !freeze_file.empty() && writeText(freeze_file, frozen) == 0;
    pids = readPids(procs_file);  // frozen now: nobody forks behind this list
    for (const pid_t pid : pids) ::kill(pid, SIGKILL);
    if (froze) writeText(freeze_file, thawed);  // killed tasks die once thawed
    std::this_thread::sleep_for(kPollInterval);
  }
  if (!freeze_file.empty()) writeText(freeze_file, thawed);
  return {sdk::ErrorCode::internal,
          "[sandbox-cgroup] processes survived SIGKILL in " + procs_file + " for 2 s"};
}

std::map<std::string, std::string> cellDirectories(const CgroupLayout& layout,
                                                   const std::string& relative) {
  std::map<std::string, std::string> dirs;
  for (const auto& [controller, mount] : layout.mounts) dirs[controller] = mount + "/" + relative;
  return dirs;
}

sdk::StatusOr<std::map<std::string, std::string>> existingCellDirectories(
    const CgroupLayout& layout, const std::string& relative) {
  auto dirs = cellDirectories(layout, relative);
  std::string looked_at;
  for (const auto& [controller, dir] : dirs) looked_at += (looked_at.empty() ? "" : ", ") + dir;
  std::erase_if(dirs, [](const auto& entry) { return !fileExists(entry.second); });
  if (dirs.empty()) {
    return sdk::Status(sdk::ErrorCode::not_found, "[sandbox-cgroup] no cell at " + looked_at);
  }
  return dirs;
}

std::uint64_t cpuQuotaUs(double share) {
  constexpr std::uint64_t kMinQuotaUs = 1000;  // the kernel's floor
  const auto quota = static_cast<std::uint64_t>(share * static_cast<double>(kCpuPeriodUs) + 0.5);
  return quota < kMinQuotaUs ? kMinQuotaUs : quota;
}

}  // namespace rivet::plugins::sandbox_cgroup
