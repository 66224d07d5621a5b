// What the v1 and v2 cells share: the directories a cell made, their removal, and the
// freeze-kill-thaw loop that empties a cgroup of processes that keep forking.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cgroup_layout.hpp"
#include "rivet/sdk/sandbox.hpp"

namespace rivet::plugins::sandbox_cgroup {

class CgroupCell : public sdk::SandboxCell {
 public:
  // Removes every directory of the cell; idempotent. Fails with `conflict` (and keeps the
  // directories that remain) while processes are still inside.
  sdk::Status destroy() final;

 protected:
  explicit CgroupCell(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}
  // For destructors: one removal attempt without waiting, errors ignored. Processes still in
  // the cell are left alone (rivetd may stop while actions go on running), and so is the cell.
  void destroyQuietly() noexcept;

  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  std::vector<std::string> dirs_;  // those not yet removed
};

// Kills every process listed in `procs_file`: freezes the cgroup (write `frozen` to
// `freeze_file`, so nothing forks between reading the list and killing), SIGKILLs each pid,
// thaws, and repeats until the list is empty or about two seconds have passed. An empty
// `freeze_file` (no freezer left) kills without freezing; what forks meanwhile is caught on
// the next round.
sdk::Status freezeAndKill(const std::string& procs_file, const std::string& freeze_file,
                          const std::string& frozen, const std::string& thawed);

// Waits (at most about two seconds) until `procs_file` lists no process.
bool waitUntilEmpty(const std::string& procs_file);

// The directory of the cell `relative` in each hierarchy of `layout`, by controller (v2: the
// one entry "").
std::map<std::string, std::string> cellDirectories(const CgroupLayout& layout,
                                                   const std::string& relative);
// Those of them that exist; `not_found` when none does.
sdk::StatusOr<std::map<std::string, std::string>> existingCellDirectories(
    const CgroupLayout& layout, const std::string& relative);

// Each makes the cell `relative` (<parent>/<execution id>) with `limits` applied. `conflict`
// when the cell exists already (a leftover of a crashed run, or an id used twice); nothing is
// left behind on failure. The layout must be of the matching version.
sdk::StatusOr<sdk::SandboxCellPtr> createV1Cell(const CgroupLayout& layout,
                                                const std::string& relative,
                                                const sdk::ResourceLimits& limits);
sdk::StatusOr<sdk::SandboxCellPtr> createV2Cell(const CgroupLayout& layout,
                                                const std::string& relative,
                                                const sdk::ResourceLimits& limits);

// Each opens the cell `relative` that an earlier process made, with the directories of it
// that exist (on v1 a crash while creating may have left only some); `not_found` when none
// does. The layout must be of the matching version.
sdk::StatusOr<sdk::SandboxCellPtr> openV1Cell(const CgroupLayout& layout,
                                              const std::string& relative);
sdk::StatusOr<sdk::SandboxCellPtr> openV2Cell(const CgroupLayout& layout,
                                              const std::string& relative);

// CPU bandwidth period (us) for both versions, and the quota giving `share` of one CPU in it.
inline constexpr std::uint64_t kCpuPeriodUs = 100000;
std::uint64_t cpuQuotaUs(double share);

}  // namespace rivet::plugins::sandbox_cgroup
