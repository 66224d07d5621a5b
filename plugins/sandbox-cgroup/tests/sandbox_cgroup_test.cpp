// sandbox-cgroup against the real cgroups of this machine (root only); the fixture keeps
// every cgroup a test makes under the test's own parent and removes it in TearDown.
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "rivet/test/rivetd_process.hpp"
#include "sandbox_cgroup_fixture.hpp"

namespace rivet::plugins::sandbox_cgroup::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kMiB = 1024 * 1024;

// Touches `bytes` of fresh anonymous memory, page by page; returns 0 once all is touched.
int touchMemory(std::uint64_t bytes) {
  void* block = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) return 2;
  std::memset(block, 1, bytes);
  return 0;
}

TEST_F(SandboxCgroupTest, DescriptorNamesTheSandboxKind) {
  rivet::test::expectDescriptor(handle_.descriptor(), sdk::PluginKind::sandbox, "sandbox-cgroup");
  const auto defaults = rivet::test::configDefaults(handle_.descriptor());
  EXPECT_EQ(defaults.at("parent"), "rivet");
  EXPECT_EQ(defaults.at("cgroup_root"), "/sys/fs/cgroup");
  EXPECT_EQ(defaults.at("required"), "false");
}

TEST_F(SandboxCgroupTest, LayoutIsV1Here) {
  ASSERT_TRUE(configure({}).ok());
  EXPECT_EQ(logger_.count(sdk::LogLevel::info, "cgroup v1 ("), 1)
      << ::testing::PrintToString(logger_.messages());
  EXPECT_EQ(logger_.count(sdk::LogLevel::info, "memory at /sys/fs/cgroup/memory"), 1);
}

TEST_F(SandboxCgroupTest, MalformedLimitsAreRejected) {
  EXPECT_EQ(configure({{"memory_limit", "12X"}}).code(), sdk::ErrorCode::invalid_argument);
  EXPECT_EQ(configure({{"cpu_limit", "0"}}).code(), sdk::ErrorCode::invalid_argument);
  EXPECT_EQ(configure({{"pids_limit", "-3"}}).code(), sdk::ErrorCode::invalid_argument);
  EXPECT_EQ(configure({{"parent", "../escape"}}).code(), sdk::ErrorCode::invalid_argument);
  ASSERT_TRUE(configure({}).ok());
  EXPECT_EQ(sandbox_->createCell("../x", {}).status().code(), sdk::ErrorCode::invalid_argument);
}

TEST_F(SandboxCgroupTest, RequiredFailsNamingControllerAndPath) {
  const rivet::test::TempDir empty("rivet-no-cgroups");
  const auto status = configure({{"required", "true"}, {"cgroup_root", empty.str()}});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("memory"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(empty.str() + "/memory"), std::string::npos) << status.message();
}

TEST_F(SandboxCgroupTest, NotRequiredStartsAndRefusesCellsWithTheReason) {
  const rivet::test::TempDir empty("rivet-no-cgroups");
  ASSERT_TRUE(configure({{"cgroup_root", empty.str()}}).ok());
  EXPECT_EQ(logger_.count(sdk::LogLevel::warning, "without resource caps"), 1);
  const auto made = sandbox_->createCell("exec-1", {});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), sdk::ErrorCode::unavailable);
  EXPECT_EQ(made.status().message().rfind("cgroups unusable: ", 0), 0u) << made.status().message();
  EXPECT_NE(made.status().message().find(empty.str()), std::string::npos);
  EXPECT_EQ(sandbox_->openCell("exec-1").status().code(), sdk::ErrorCode::unavailable);
}

TEST_F(SandboxCgroupTest, StateOfAUsableSandboxNamesLayoutParentAndLimits) {
  ASSERT_TRUE(configure({{"memory_limit", "64M"}, {"cpu_limit", "0.5"}}).ok());
  const auto state = sandbox_->state();
  EXPECT_TRUE(state.usable);
  EXPECT_EQ(state.description.rfind("cgroup v1 (", 0), 0u) << state.description;
  EXPECT_NE(state.description.find("memory at /sys/fs/cgroup/memory"), std::string::npos)
      << state.description;
  EXPECT_NE(state.description.find("cells under " + testParent()), std::string::npos)
      << state.description;
  EXPECT_EQ(state.limits.memory_bytes, 64 * kMiB);
  EXPECT_EQ(state.limits.cpu_share, 0.5);
  EXPECT_FALSE(state.limits.pids.has_value());
}

TEST_F(SandboxCgroupTest, StateOfAnUnusableSandboxNamesTheMissingController) {
  const rivet::test::TempDir empty("rivet-no-cgroups");
  ASSERT_TRUE(configure({{"cgroup_root", empty.str()}, {"pids_limit", "7"}}).ok());
  const auto state = sandbox_->state();
  EXPECT_FALSE(state.usable);
  EXPECT_EQ(state.description.rfind("cgroups unusable: ", 0), 0u) << state.description;
  EXPECT_NE(state.description.find("controller memory"), std::string::npos) << state.description;
  EXPECT_NE(state.description.find(empty.str() + "/memory"), std::string::npos)
      << state.description;
  EXPECT_EQ(state.limits.pids, 7u) << "the configured caps, whether or not they can apply";
}

TEST_F(SandboxCgroupTest, TighterOfConfigAndActionLimitApplies) {
  sdk::ResourceLimits limits;
  limits.memory_bytes = 32 * kMiB;
  limits.pids = 50;
  auto& made = cell({{"memory_limit", "64M"}, {"pids_limit", "10"}}, limits);
  EXPECT_EQ(rivet::test::readFile(controllerDir(made, "memory") / "memory.limit_in_bytes"),
            "33554432\n");
  EXPECT_EQ(rivet::test::readFile(controllerDir(made, "pids") / "pids.max"), "10\n");
  EXPECT_EQ(sandbox_->createCell("exec-1", {}).status().code(), sdk::ErrorCode::conflict);
}

TEST_F(SandboxCgroupTest, ChildOverItsMemoryCapIsOomKilledAlone) {
  const std::string own_cgroups = rivet::test::readFile("/proc/self/cgroup");
  auto& made = cell({{"memory_limit", "32M"}});
  const int status = waitFor(spawnInto(made, [] { return touchMemory(128 * kMiB); }));
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_TRUE(made.usage().oom_killed);
  EXPECT_EQ(rivet::test::readFile("/proc/self/cgroup"), own_cgroups);
  EXPECT_TRUE(made.destroy().ok());
}

TEST_F(SandboxCgroupTest, PeakMemoryIsMeasured) {
  auto& made = cell({});
  ASSERT_EQ(waitFor(spawnInto(made, [] { return touchMemory(50 * kMiB); })), 0);
  const auto usage = made.usage();
  ASSERT_TRUE(usage.peak_memory_bytes.has_value());
  RecordProperty("peak_memory_bytes", std::to_string(*usage.peak_memory_bytes));
  EXPECT_NEAR(static_cast<double>(*usage.peak_memory_bytes), 50.0 * kMiB, 5.0 * kMiB);
  EXPECT_FALSE(usage.oom_killed);
}

TEST_F(SandboxCgroupTest, CpuSpinnerStaysUnderItsShare) {
  auto& made = cell({{"cpu_limit", "0.25"}});
  const pid_t spinner = spawnInto(made, [] {
    volatile unsigned long spin = 0;
    for (;;) spin = spin + 1;
    return 0;
  });
  const auto started = std::chrono::steady_clock::now();
  while (made.usage().cpu_time_us.value_or(0) == 0 &&
         std::chrono::steady_clock::now() - started < 2s) {
    std::this_thread::sleep_for(5ms);
  }
  const auto cpu_before = made.usage().cpu_time_us.value_or(0);
  const auto wall_before = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(3s);  // the measurement window, not a synchronisation
  const auto cpu_after = made.usage().cpu_time_us.value_or(0);
  const auto wall_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - wall_before)
                           .count();
  ASSERT_TRUE(made.killAll().ok());
  waitFor(spinner);
  const double share = static_cast<double>(cpu_after - cpu_before) / static_cast<double>(wall_us);
  RecordProperty("cpu_share", std::to_string(share));
  EXPECT_LE(share, 0.30);
  EXPECT_GE(share, 0.10) << "the spinner did not run";
}

TEST_F(SandboxCgroupTest, KillAllReachesDoubleForkedProcesses) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);  // orphans come back here to be reaped
  auto& made = cell({});
  const int status = waitFor(spawnInto(made, [] {
    ::execl("/bin/sh", "sh", "-c", "setsid sleep 600 </dev/null >/dev/null 2>&1 & exit 0", nullptr);
    return 127;
  }));
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const auto joined = made.joinFiles();
  EXPECT_FALSE(pidsIn(joined.front()).empty()) << "the sleep should still be in the cell";
  ASSERT_TRUE(made.killAll().ok());
  for (const auto& file : joined) EXPECT_TRUE(pidsIn(file).empty()) << file;
  reapOrphans();
  ASSERT_TRUE(made.destroy().ok());
  for (const auto& file : joined) EXPECT_FALSE(fs::exists(fs::path(file).parent_path())) << file;
  EXPECT_TRUE(made.destroy().ok()) << "destroy is idempotent";
  sandbox_.reset();
  EXPECT_FALSE(fs::exists(kCgroupRoot / "memory" / testParent()))
      << "the sandbox removes its parent";
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

TEST_F(SandboxCgroupTest, PidsLimitRefusesTheForkPastIt) {
  auto& made = cell({{"pids_limit", "4"}});
  // The child and 3 of its forks fill the cell; the 4th fork must fail with EAGAIN.
  const int status = waitFor(spawnInto(made, [] {
    pid_t kids[4] = {};
    int forked = 0;
    int result = 0;
    for (; forked < 4; ++forked) {
      kids[forked] = ::fork();
      if (kids[forked] == 0) {
        ::pause();
        ::_exit(0);
      }
      if (kids[forked] < 0) break;
    }
    if (forked != 3)
      result = forked < 3 ? 1 : 2;
    else if (errno != EAGAIN)
      result = 3;
    for (int i = 0; i < forked; ++i) {
      ::kill(kids[i], SIGKILL);
      ::waitpid(kids[i], nullptr, 0);
    }
    return result;
  }));
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "1: fewer than 3 forks, 2: the 4th fork succeeded, 3: not EAGAIN";
}

// Cells an earlier instance (or a crash) left, reopened with openCell while a child sleeps in
// them.
class SandboxCgroupAdoptionTest : public SandboxCgroupTest {
 protected:
  // Forks a child into the cgroups of `join_files` that runs `sleep 600`, and returns once it
  // does: it joins before exec, so it is in each of them then. -1 (a failure) if it never does.
  static pid_t spawnSleeper(const std::vector<std::string>& join_files) {
    const pid_t sleeper = spawnInto(join_files, [] {
      ::execlp("sleep", "sleep", "600", nullptr);
      return 127;
    });
    if (rivet::test::waitUntil([&] { return runs(sleeper, "sleep"); })) return sleeper;
    ADD_FAILURE() << "the child never ran sleep";
    return -1;
  }

  // Opens exec-1 through the configured sandbox and expects it over the cgroups of `joined`;
  // then kills `sleeper` through it and removes it. Returns the usage read before the kill.
  sdk::ResourceUsage adoptKillAndRemove(const std::vector<std::string>& joined, pid_t sleeper) {
    auto opened = sandbox_->openCell("exec-1");
    if (!opened.ok()) {
      ADD_FAILURE() << "openCell: " << opened.status().message();
      return {};
    }
    sdk::SandboxCell& adopted = *opened.value();
    EXPECT_EQ(sorted(adopted.joinFiles()), sorted(joined));
    const auto usage = adopted.usage();
    if (const auto killed = adopted.killAll(); !killed.ok()) {
      ADD_FAILURE() << "killAll: " << killed.message();
      return usage;
    }
    const int status = waitFor(sleeper);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "wait status " << status;
    const auto destroyed = adopted.destroy();
    EXPECT_TRUE(destroyed.ok()) << destroyed.message();
    for (const auto& file : joined) EXPECT_FALSE(fs::exists(fs::path(file).parent_path())) << file;
    return usage;
  }
};

// rivetd restarts while an action runs: the old instance drops its cell without destroy(), the
// new one reopens it by execution id, reads it, kills what runs in it and removes it.
TEST_F(SandboxCgroupAdoptionTest, OpenCellAdoptsTheCellAnEarlierInstanceLeft) {
  const auto joined = cell({}).joinFiles();
  const pid_t sleeper = spawnSleeper(joined);
  ASSERT_GT(sleeper, 0);

  cells_.clear();
  sandbox_.reset();
  for (const auto& file : joined) {
    ASSERT_EQ(pidsIn(file), std::vector<pid_t>{sleeper}) << "the cell outlives its object: " << file;
  }

  ASSERT_TRUE(configure({}).ok());
  const auto usage = adoptKillAndRemove(joined, sleeper);
  EXPECT_GT(usage.peak_memory_bytes.value_or(0), 0u);
  EXPECT_GT(usage.cpu_time_us.value_or(0), 0u);
}

// A crash while a v1 cell was being made leaves it in some controllers only, here without
// cpuacct and freezer: the opened cell reads, kills and removes what is there.
TEST_F(SandboxCgroupAdoptionTest, OpenCellCopesWithAHalfMadeCell) {
  ASSERT_TRUE(configure({}).ok());
  std::vector<std::string> joined;
  for (const char* controller : {"memory", "cpu", "pids"}) {
    const fs::path dir = kCgroupRoot / controller / testParent() / "exec-1";
    ASSERT_TRUE(fs::create_directories(dir)) << dir;
    joined.push_back(dir / "cgroup.procs");
  }
  const pid_t sleeper = spawnSleeper(joined);
  ASSERT_GT(sleeper, 0);

  const auto usage = adoptKillAndRemove(joined, sleeper);
  EXPECT_GT(usage.peak_memory_bytes.value_or(0), 0u);
  EXPECT_FALSE(usage.cpu_time_us.has_value()) << "no cpuacct directory to read it from";
}

TEST_F(SandboxCgroupTest, OpenCellOfAnUnknownIdIsNotFound) {
  ASSERT_TRUE(configure({}).ok());
  const auto opened = sandbox_->openCell("exec-never-made");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), sdk::ErrorCode::not_found);
  EXPECT_NE(opened.status().message().find(testParent() + "/exec-never-made"), std::string::npos)
      << opened.status().message();
}

TEST_F(SandboxCgroupTest, OpenCellRefusesAnIdThatIsNoCgroupName) {
  ASSERT_TRUE(configure({}).ok());
  EXPECT_EQ(sandbox_->openCell("../x").status().code(), sdk::ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace rivet::plugins::sandbox_cgroup::testing
