// sandbox-cgroup against the real cgroups of this machine (root only). Every cgroup a test
// makes lives under rivet-test-<pid> and is removed in TearDown, whatever the outcome. Only
// forked children join a cell; the test process never does.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "rivet/sdk/sandbox.hpp"
#include "rivet/test/plugin_handle.hpp"
#include "rivet/test/recording_logger.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::plugins::sandbox_cgroup {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::uint64_t kMiB = 1024 * 1024;
const fs::path kCgroupRoot = "/sys/fs/cgroup";

std::string testParent() { return "rivet-test-" + std::to_string(::getpid()); }

std::vector<pid_t> pidsIn(const fs::path& procs) {
  std::vector<pid_t> pids;
  std::ifstream file(procs);
  for (pid_t pid = 0; file >> pid;) pids.push_back(pid);
  return pids;
}

// Kills what is left in `dir` and below, then removes them, deepest first.
void removeCgroupTree(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory(ec)) removeCgroupTree(entry.path());
  }
  for (int attempt = 0; attempt < 200 && ::rmdir(dir.c_str()) != 0 && errno == EBUSY; ++attempt) {
    for (pid_t pid : pidsIn(dir / "cgroup.procs")) ::kill(pid, SIGKILL);
    std::this_thread::sleep_for(10ms);
  }
}

// Every rivet-test-<pid> directory this process made, in any hierarchy.
void removeTestCgroups() {
  std::error_code ec;
  removeCgroupTree(kCgroupRoot / testParent());
  for (const auto& mount : fs::directory_iterator(kCgroupRoot, ec)) {
    if (fs::exists(mount.path() / testParent(), ec)) removeCgroupTree(mount.path() / testParent());
  }
}

void reapOrphans() {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

class SandboxCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to make cgroups";
    handle_ = rivet::test::PluginHandle(RIVET_PLUGIN_DIR "/sandbox-cgroup.so");
  }

  void TearDown() override {
    cells_.clear();
    sandbox_.reset();
    removeTestCgroups();
    reapOrphans();
  }

  sdk::Status configure(std::map<std::string, std::string> config) {
    if (!config.count("parent")) config["parent"] = testParent();
    sandbox_ = handle_.create<sdk::Sandbox>();
    sdk::PluginContext context;
    context.data_dir = dir_.str();
    context.config = std::move(config);
    context.logger = &logger_;
    return sandbox_->configure(context);
  }

  // A configured sandbox's new cell; fails the test when either step fails.
  sdk::SandboxCell& cell(const std::map<std::string, std::string>& config,
                         const sdk::ResourceLimits& limits = {}) {
    const auto status = configure(config);
    EXPECT_TRUE(status.ok()) << status.message();
    auto made = sandbox_->createCell("exec-1", limits);
    if (!made.ok()) throw std::runtime_error("createCell: " + made.status().message());
    cells_.push_back(std::move(made).value());
    return *cells_.back();
  }

  // Forks a child that joins `cell` the way rivet-shim's child does (its own pid, written
  // into every join file), then runs `body` and exits with its result.
  static pid_t spawnInto(const sdk::SandboxCell& cell, const std::function<int()>& body) {
    const std::vector<std::string> files = cell.joinFiles();
    const pid_t child = ::fork();
    if (child != 0) return child;
    char text[24];
    int length = 0;
    for (pid_t pid = ::getpid(); pid > 0; pid /= 10)
      text[length++] = static_cast<char>('0' + pid % 10);
    for (int i = 0; i < length / 2; ++i) std::swap(text[i], text[length - 1 - i]);
    for (const auto& file : files) {
      const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || ::write(fd, text, length) != length) ::_exit(120);
      ::close(fd);
    }
    ::_exit(body());
  }

  static int waitFor(pid_t child) {
    int status = 0;
    ::waitpid(child, &status, 0);
    return status;
  }

  // The cell's directory in one v1 controller (this machine is v1; see LayoutIsV1Here).
  static fs::path controllerDir(const sdk::SandboxCell& cell, const std::string& controller) {
    for (const auto& file : cell.joinFiles()) {
      if (file.find("/" + controller + "/") != std::string::npos)
        return fs::path(file).parent_path();
    }
    return {};
  }

  rivet::test::TempDir dir_{"rivet-sandbox-cgroup-test"};
  rivet::test::RecordingLogger logger_;
  rivet::test::PluginHandle handle_;
  std::shared_ptr<sdk::Sandbox> sandbox_;
  std::vector<sdk::SandboxCellPtr> cells_;
};

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

}  // namespace
}  // namespace rivet::plugins::sandbox_cgroup
