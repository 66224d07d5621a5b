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
    const bool froze = writeText(freeze_file, frozen) == 0;
    pids = readPids(procs_file);  // frozen now: nobody forks behind this list
    for (const pid_t pid : pids) ::kill(pid, SIGKILL);
    if (froze) writeText(freeze_file, thawed);  // killed tasks die once thawed
    std::this_thread::sleep_for(kPollInterval);
  }
  writeText(freeze_file, thawed);
  return {sdk::ErrorCode::internal,
          "[sandbox-cgroup] processes survived SIGKILL in " + procs_file + " for 2 s"};
}

std::uint64_t cpuQuotaUs(double share) {
  constexpr std::uint64_t kMinQuotaUs = 1000;  // the kernel's floor
  const auto quota = static_cast<std::uint64_t>(share * static_cast<double>(kCpuPeriodUs) + 0.5);
  return quota < kMinQuotaUs ? kMinQuotaUs : quota;
}

}  // namespace rivet::plugins::sandbox_cgroup
