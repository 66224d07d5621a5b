#include "sandbox_cgroup_fixture.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace rivet::plugins::sandbox_cgroup::testing {

namespace {

using namespace std::chrono_literals;

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

// The running test's parent in every hierarchy (v2: at the root, v1: in each mount).
void removeTestCgroups() {
  std::error_code ec;
  removeCgroupTree(kCgroupRoot / testParent());
  for (const auto& mount : fs::directory_iterator(kCgroupRoot, ec)) {
    if (fs::exists(mount.path() / testParent(), ec)) removeCgroupTree(mount.path() / testParent());
  }
}

}  // namespace

std::string testParent() {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  return "rivet-test-" + std::to_string(::getpid()) + "-" + (test ? test->name() : "none");
}

std::vector<pid_t> pidsIn(const fs::path& procs) {
  std::vector<pid_t> pids;
  std::ifstream file(procs);
  for (pid_t pid = 0; file >> pid;) pids.push_back(pid);
  return pids;
}

bool runs(pid_t pid, const std::string& name) {
  return rivet::test::readFile("/proc/" + std::to_string(pid) + "/comm") == name + "\n";
}

void reapOrphans() {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

void SandboxCgroupTest::SetUp() {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to make cgroups";
  handle_ = rivet::test::PluginHandle(RIVET_PLUGIN_DIR "/sandbox-cgroup.so");
}

void SandboxCgroupTest::TearDown() {
  cells_.clear();
  sandbox_.reset();
  removeTestCgroups();
  reapOrphans();
}

sdk::Status SandboxCgroupTest::configure(std::map<std::string, std::string> config) {
  if (!config.count("parent")) config["parent"] = testParent();
  sandbox_ = handle_.create<sdk::Sandbox>();
  sdk::PluginContext context;
  context.data_dir = dir_.str();
  context.config = std::move(config);
  context.logger = &logger_;
  return sandbox_->configure(context);
}

sdk::SandboxCell& SandboxCgroupTest::cell(const std::map<std::string, std::string>& config,
                                          const sdk::ResourceLimits& limits) {
  const auto status = configure(config);
  EXPECT_TRUE(status.ok()) << status.message();
  auto made = sandbox_->createCell("exec-1", limits);
  if (!made.ok()) throw std::runtime_error("createCell: " + made.status().message());
  cells_.push_back(std::move(made).value());
  return *cells_.back();
}

pid_t SandboxCgroupTest::spawnInto(const std::vector<std::string>& join_files,
                                   const std::function<int()>& body) {
  const pid_t child = ::fork();
  if (child != 0) return child;
  char text[24];
  int length = 0;
  for (pid_t pid = ::getpid(); pid > 0; pid /= 10)
    text[length++] = static_cast<char>('0' + pid % 10);
  for (int i = 0; i < length / 2; ++i) std::swap(text[i], text[length - 1 - i]);
  for (const auto& file : join_files) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, text, length) != length) ::_exit(120);
    ::close(fd);
  }
  ::_exit(body());
}

int SandboxCgroupTest::waitFor(pid_t child) {
  int status = 0;
  ::waitpid(child, &status, 0);
  return status;
}

fs::path SandboxCgroupTest::controllerDir(const sdk::SandboxCell& cell,
                                          const std::string& controller) {
  for (const auto& file : cell.joinFiles()) {
    if (file.find("/" + controller + "/") != std::string::npos)
      return fs::path(file).parent_path();
  }
  return {};
}

}  // namespace rivet::plugins::sandbox_cgroup::testing
