// Runs the real rivet-shim on a scratch execution directory, as rivetd does: launch.json
// written first, a pipe on fd 3 for the start report, the shim spawned without a shell.
// Waits are polls with deadlines, never sleeps standing in for synchronisation.
#pragma once

#include <sys/types.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rivet/test/temp_dir.hpp"

namespace rivet::core::shim {

using namespace std::chrono_literals;

// Polls `condition` every few milliseconds until it holds or `timeout` has passed.
bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// Starts rivet-shim on `execution_dir` with `report_fd` (if >= 0) as its fd 3; in a session of
// its own already if `session_leader` (rivetd spawns it so).
pid_t spawnShim(const std::filesystem::path& execution_dir, int report_fd,
                bool session_leader = false);

// The file parsed, or nullopt when it does not exist. A file that exists but is not JSON is a
// test failure: the shim writes atomically, so a reader never sees a partial file.
std::optional<nlohmann::json> readJsonFile(const std::filesystem::path& file);

class ShimTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Cancels a shim still running, then kills whatever still carries the marker.
  void TearDown() override;

  // A launch.json running `argv` in the execution directory, with the marker's path in $M,
  // no timeout and a 5 s grace.
  nlohmann::json launchFor(std::vector<std::string> argv) const;
  // Writes launch.json (as given, or raw text) and starts the shim with a report pipe.
  void start(const nlohmann::json& launch, bool session_leader = false);
  void startWithLaunchText(const std::string& text, bool session_leader = false);

  // The line the shim wrote on fd 3, without its newline; "" on EOF or after 10 s.
  std::string reportLine();
  // status.json, once it exists (fails the test after 30 s).
  nlohmann::json waitForStatus();
  // The shim's exit code (fails the test after 30 s).
  int waitForShimExit();

  // A copy of sleep under a name unique to this test: every process running it is part of an
  // action's tree, found by processesWithMarker() and killed in TearDown.
  std::string marker() const { return dir_.child("rivet-marker-sleep"); }
  std::vector<pid_t> processesWithMarker() const;
  // A FIFO in the execution directory; `$F` in the action's environment names it.
  std::string fifo() const { return dir_.child("gate"); }
  // Opens the FIFO once the action reads it and writes one line, letting the action go on.
  void openGate();

  test::TempDir dir_{"rivet-shim-test"};
  pid_t shim_pid_ = -1;
  int report_fd_ = -1;
};

}  // namespace rivet::core::shim
