// What every sandbox-cgroup test needs: the plugin loaded from its .so, a parent cgroup of
// the test's own (rivet-test-<pid>-<test name>, removed in TearDown whatever the outcome),
// and children forked into cells the way rivet-shim's child joins them. The test process
// itself never joins a cell.
#pragma once

#include <sys/types.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rivet/sdk/sandbox.hpp"
#include "rivet/test/plugin_handle.hpp"
#include "rivet/test/recording_logger.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::plugins::sandbox_cgroup::testing {

namespace fs = std::filesystem;

inline const fs::path kCgroupRoot = "/sys/fs/cgroup";

// The parent cgroup of the running test: unique per process and test, so tests may run in
// parallel.
std::string testParent();

// The pids listed in a cgroup.procs file.
std::vector<pid_t> pidsIn(const fs::path& procs);

// True once `pid` runs the program `name` (its /proc comm).
bool runs(pid_t pid, const std::string& name);

// Reaps whatever children have ended, without waiting.
void reapOrphans();

// `names` in ascending order, to compare lists whose order says nothing.
std::vector<std::string> sorted(std::vector<std::string> names);

class SandboxCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Drops the cells and the sandbox, then kills what is left in the test's cgroups and removes
  // them in every hierarchy.
  void TearDown() override;

  // Makes a new sandbox (replacing the last one) and configures it; `parent` defaults to
  // testParent().
  sdk::Status configure(std::map<std::string, std::string> config);

  // A configured sandbox's new cell "exec-1"; fails the test when either step fails.
  sdk::SandboxCell& cell(const std::map<std::string, std::string>& config,
                         const sdk::ResourceLimits& limits = {});

  // Forks a child that joins the cgroups of `join_files` the way rivet-shim's child does (its
  // own pid, written into every file; exit 120 when that fails), then runs `body` and exits
  // with its result.
  static pid_t spawnInto(const std::vector<std::string>& join_files,
                         const std::function<int()>& body);
  static pid_t spawnInto(const sdk::SandboxCell& cell, const std::function<int()>& body) {
    return spawnInto(cell.joinFiles(), body);
  }

  // The wait status of the child `child`, once it ended.
  static int waitFor(pid_t child);

  // The cell's directory in one v1 controller (this machine is v1; see LayoutIsV1Here).
  static fs::path controllerDir(const sdk::SandboxCell& cell, const std::string& controller);

  rivet::test::TempDir dir_{"rivet-sandbox-cgroup-test"};
  rivet::test::RecordingLogger logger_;
  rivet::test::PluginHandle handle_;
  std::shared_ptr<sdk::Sandbox> sandbox_;
  std::vector<sdk::SandboxCellPtr> cells_;
};

}  // namespace rivet::plugins::sandbox_cgroup::testing
