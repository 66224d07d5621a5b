// rivet-shim end to end: the real executable on a scratch execution directory, checked
// against the contract in core/shim/README.md.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "rivet/test/temp_dir.hpp"
#include "shim/process_tree.hpp"
#include "shim_fixture.hpp"

namespace rivet::core::shim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The action's tree for the stop tests: its own sleep, and a sleep double-forked into a new
// session, reparented to the shim once its parent exits: out of reach of the action's group.
constexpr const char* kTreeScript = R"(setsid sh -c '"$M" 600 & exit 0' & "$M" 600)";

TEST_F(ShimTest, ExitZeroIsExitedWithTheOutputCaptured) {
  start(launchFor({"sh", "-c", "echo hello; echo oops >&2"}));
  const json status = waitForStatus();
  EXPECT_EQ(status["outcome"], "exited");
  EXPECT_EQ(status["exit_code"], 0);
  EXPECT_TRUE(status["signal"].is_null());
  EXPECT_EQ(status["reason"], "exited with code 0");
  ASSERT_TRUE(status["started_at_ms"].is_number_integer());
  EXPECT_LE(status["started_at_ms"].get<std::int64_t>(), status["ended_at_ms"].get<std::int64_t>());
  EXPECT_EQ(waitForShimExit(), 0);
  EXPECT_EQ(test::readFile(dir_.path() / "stdout"), "hello\n");
  EXPECT_EQ(test::readFile(dir_.path() / "stderr"), "oops\n");
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    EXPECT_NE(entry.path().extension(), ".tmp") << "temporary file left: " << entry.path();
  }
}

TEST_F(ShimTest, ExitCodeIsRecorded) {
  start(launchFor({"sh", "-c", "exit 3"}));
  const json status = waitForStatus();
  EXPECT_EQ(status["outcome"], "exited");
  EXPECT_EQ(status["exit_code"], 3);
  EXPECT_EQ(status["reason"], "exited with code 3");
  EXPECT_EQ(waitForShimExit(), 0);
}

TEST_F(ShimTest, DeathBySignalIsSignaled) {
  start(launchFor({"sh", "-c", "kill -KILL $$"}));
  const json status = waitForStatus();
  EXPECT_EQ(status["outcome"], "signaled");
  EXPECT_TRUE(status["exit_code"].is_null());
  EXPECT_EQ(status["signal"], SIGKILL);
  EXPECT_EQ(status["reason"], "killed by signal 9 (SIGKILL)");
  EXPECT_EQ(waitForShimExit(), 0);
}

TEST_F(ShimTest, AlreadyLeadingItsOwnSessionIsFine) {
  start(launchFor({"sh", "-c", "exit 0"}), /*session_leader=*/true);
  EXPECT_EQ(reportLine().rfind("started ", 0), 0u);
  EXPECT_EQ(waitForStatus()["outcome"], "exited");
  EXPECT_EQ(waitForShimExit(), 0);
}

TEST_F(ShimTest, ExecFailureIsFailedToStartAndReportedOnFd3) {
  start(launchFor({"/nonexistent/rivet-program"}));
  const std::string reason =
      "failed executing the program (/nonexistent/rivet-program): No such file or directory";
  EXPECT_EQ(reportLine(), "failed " + reason);
  const json status = waitForStatus();
  EXPECT_EQ(status["outcome"], "failed_to_start");
  EXPECT_EQ(status["reason"], reason);
  EXPECT_TRUE(status["started_at_ms"].is_null());
  EXPECT_TRUE(status["exit_code"].is_null());
  EXPECT_FALSE(fs::exists(dir_.path() / "started.json"));
  EXPECT_EQ(waitForShimExit(), 0);
}

TEST_F(ShimTest, UnparsableLaunchIsFailedToStartWithExitCode2) {
  startWithLaunchText("{\"argv\": ");
  const std::string reason_start = "launch.json is not valid JSON: ";
  EXPECT_EQ(reportLine().rfind("failed " + reason_start, 0), 0u);
  EXPECT_EQ(waitForShimExit(), 2);
  const json status = waitForStatus();
  EXPECT_EQ(status["outcome"], "failed_to_start");
  EXPECT_EQ(status["reason"].get<std::string>().rfind(reason_start, 0), 0u);
}

TEST_F(ShimTest, LaunchMissingAKeyIsFailedToStartWithExitCode2) {
  json launch = launchFor({"true"});
  launch.erase("kill_grace_seconds");
  start(launch);
  const std::string reason = "launch.json: missing key 'kill_grace_seconds'";
  EXPECT_EQ(reportLine(), "failed " + reason);
  EXPECT_EQ(waitForShimExit(), 2);
  const json status = waitForStatus();
  EXPECT_EQ(status["outcome"], "failed_to_start");
  EXPECT_EQ(status["reason"], reason);
}

TEST_F(ShimTest, ReportsAndRecordsTheStartedActionAndItsSupervisor) {
  json launch = launchFor({marker(), "600"});
  launch["nice"] = 7;
  start(launch);

  const std::string line = reportLine();
  ASSERT_EQ(line.rfind("started ", 0), 0u) << line;
  const pid_t action = std::stoi(line.substr(8));
  const auto started = readJsonFile(dir_.path() / "started.json");
  ASSERT_TRUE(started);
  EXPECT_EQ((*started)["pid"], action);
  EXPECT_TRUE((*started)["started_at_ms"].is_number_integer());
  const auto action_stat = readProcStat(action);
  ASSERT_TRUE(action_stat);
  EXPECT_EQ((*started)["start_time"], action_stat->start_time);
  EXPECT_EQ(action_stat->pgrp, action) << "the action leads its own process group";
  EXPECT_EQ(action_stat->nice, 7);
  EXPECT_EQ(action_stat->ppid, shim_pid_);
  // "started" comes right after the exec, while the action's dynamic loader may still hold a
  // library open; an inherited descriptor would stay open for good.
  std::vector<std::string> descriptors;
  const auto only_stdio = [&] {
    descriptors.clear();
    for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(action) + "/fd")) {
      descriptors.push_back(entry.path().filename());
    }
    std::sort(descriptors.begin(), descriptors.end());
    return descriptors == std::vector<std::string>{"0", "1", "2"};
  };
  EXPECT_TRUE(waitUntil(only_stdio, 2s))
      << "the action inherits nothing but its stdio (no fd 3, no signalfd); it has "
      << ::testing::PrintToString(descriptors);

  const auto supervisor = readJsonFile(dir_.path() / "supervisor.json");
  ASSERT_TRUE(supervisor);
  const auto shim_stat = readProcStat(shim_pid_);
  ASSERT_TRUE(shim_stat);
  EXPECT_EQ((*supervisor)["pid"], shim_pid_);
  EXPECT_EQ((*supervisor)["start_time"], shim_stat->start_time);
  std::string boot_id;
  std::getline(std::ifstream("/proc/sys/kernel/random/boot_id"), boot_id);
  EXPECT_EQ((*supervisor)["boot_id"], boot_id);
  EXPECT_EQ(shim_stat->session, shim_pid_) << "the shim leads its own session";

  ASSERT_EQ(::kill(shim_pid_, SIGUSR1), 0);
  const json status = waitForStatus();
  EXPECT_EQ(status["outcome"], "canceled");
  EXPECT_EQ(status["reason"], "canceled; stopped with SIGTERM");
  EXPECT_EQ(status["signal"], SIGTERM);
  EXPECT_EQ(waitForShimExit(), 0);
}

TEST_F(ShimTest, TimeoutStopsTheWholeTreeWithinTheGrace) {
  json launch = launchFor({"sh", "-c", kTreeScript});
  launch["timeout_seconds"] = 1;
  start(launch);
  EXPECT_TRUE(waitUntil([&] { return processesWithMarker().size() == 2; }, 5s))
      << "the action's tree never had its two sleeps";

  const json status = waitForStatus();
  EXPECT_TRUE(processesWithMarker().empty()) << "status.json was written before the tree ended";
  EXPECT_EQ(status["outcome"], "timeout");
  EXPECT_EQ(status["reason"], "timed out after 1 s; stopped with SIGTERM");
  const auto took_ms =
      status["ended_at_ms"].get<std::int64_t>() - status["started_at_ms"].get<std::int64_t>();
  EXPECT_GE(took_ms, 1000);
  EXPECT_LT(took_ms, 1000 + 5000) << "SIGTERM should have ended the tree within the grace";
  EXPECT_EQ(waitForShimExit(), 0);
}

class ShimCancelTest : public ShimTest, public ::testing::WithParamInterface<int> {};

TEST_P(ShimCancelTest, CancelSignalStopsTheWholeTree) {
  start(launchFor({"sh", "-c", kTreeScript}));
  ASSERT_TRUE(waitUntil([&] { return processesWithMarker().size() == 2; }, 5s))
      << "the action's tree never had its two sleeps";

  ASSERT_EQ(::kill(shim_pid_, GetParam()), 0);
  const json status = waitForStatus();
  EXPECT_TRUE(processesWithMarker().empty()) << "status.json was written before the tree ended";
  EXPECT_EQ(status["outcome"], "canceled");
  EXPECT_EQ(status["reason"], "canceled; stopped with SIGTERM");
  EXPECT_EQ(waitForShimExit(), 0);
}

INSTANTIATE_TEST_SUITE_P(EachCancelSignal, ShimCancelTest,
                         ::testing::Values(SIGUSR1, SIGTERM, SIGINT),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

TEST_F(ShimTest, ActionIgnoringSigtermIsKilledAfterTheGrace) {
  json launch = launchFor({"sh", "-c", R"(trap '' TERM; "$M" 600)"});
  launch["timeout_seconds"] = 1;
  launch["kill_grace_seconds"] = 1;
  start(launch);

  const json status = waitForStatus();
  EXPECT_TRUE(processesWithMarker().empty());
  EXPECT_EQ(status["outcome"], "timeout");
  EXPECT_EQ(status["reason"], "timed out after 1 s; killed with SIGKILL after 1 s grace");
  EXPECT_EQ(status["signal"], SIGKILL);
  EXPECT_GE(status["ended_at_ms"].get<std::int64_t>() - status["started_at_ms"].get<std::int64_t>(),
            2000);
  EXPECT_EQ(waitForShimExit(), 0);
}

TEST_F(ShimTest, SighupChangesNothing) {
  start(launchFor({"sh", "-c", R"(read line < "$F"; exit 4)"}));
  ASSERT_EQ(reportLine().rfind("started ", 0), 0u);
  ASSERT_EQ(::kill(shim_pid_, SIGHUP), 0);
  openGate();
  const json status = waitForStatus();
  EXPECT_EQ(status["outcome"], "exited");
  EXPECT_EQ(status["exit_code"], 4);
  EXPECT_EQ(waitForShimExit(), 0);
}

// Ignored dispositions survive exec: a rivetd run under nohup, or ignoring SIGCHLD, must not
// leave the shim deaf to cancels or blind to how its action ended.
TEST_F(ShimTest, SignalsIgnoredByWhoeverStartedTheShimStillWork) {
  const int ignored[] = {SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGUSR1};
  for (int signal : ignored) ::signal(signal, SIG_IGN);
  start(launchFor({"sh", "-c", kTreeScript}));
  for (int signal : ignored) ::signal(signal, SIG_DFL);
  ASSERT_TRUE(waitUntil([&] { return processesWithMarker().size() == 2; }, 5s));

  ASSERT_EQ(::kill(shim_pid_, SIGUSR1), 0);
  const json status = waitForStatus();
  EXPECT_TRUE(processesWithMarker().empty());
  EXPECT_EQ(status["outcome"], "canceled");
  EXPECT_EQ(status["signal"], SIGTERM) << "the shim saw how its action ended";
  EXPECT_EQ(waitForShimExit(), 0);
}

// rivetd may die right after starting the shim (and before reading fd 3): the shim goes on.
TEST_F(ShimTest, ShimOutlivesTheProcessThatStartedIt) {
  dir_.write("launch.json", launchFor({"sh", "-c", R"(read line < "$F"; echo finished)"}).dump());
  // This test process adopts the orphaned shim, as init would, so that it can reap it.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const pid_t parent = ::fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    // The stand-in for rivetd: starts the shim with a report pipe nobody reads, and dies.
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) ::_exit(1);
    const int write_fd = ::fcntl(ends[1], F_DUPFD_CLOEXEC, 10);
    ::close(ends[0]);
    ::_exit(spawnShim(dir_.path(), write_fd) > 0 ? 0 : 1);
  }
  int parent_status = 0;
  ASSERT_EQ(::waitpid(parent, &parent_status, 0), parent);
  ASSERT_TRUE(WIFEXITED(parent_status) && WEXITSTATUS(parent_status) == 0);

  std::optional<json> supervisor;
  ASSERT_TRUE(waitUntil(
      [&] { return (supervisor = readJsonFile(dir_.path() / "supervisor.json")).has_value(); },
      10s));
  shim_pid_ = (*supervisor)["pid"].get<pid_t>();
  openGate();
  const json status = waitForStatus();
  EXPECT_EQ(status["outcome"], "exited");
  EXPECT_EQ(status["exit_code"], 0);
  EXPECT_EQ(test::readFile(dir_.path() / "stdout"), "finished\n");
  EXPECT_EQ(waitForShimExit(), 0);
}

}  // namespace
}  // namespace rivet::core::shim
