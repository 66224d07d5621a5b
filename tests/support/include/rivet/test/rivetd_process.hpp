// A real rivetd for integration tests: its own temp data dir (SQLite file, output files and
// dev certificates generated on first start), port 0 on 127.0.0.1, the repository's packs.
// Stopped and cleaned up by the destructor.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "rivet/test/temp_dir.hpp"

namespace rivet::test {

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
bool waitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(20));

class RivetdProcess {
 public:
  // `defines` are extra -D key=value settings.
  explicit RivetdProcess(std::vector<std::string> defines = {});
  RivetdProcess(const RivetdProcess&) = delete;
  RivetdProcess& operator=(const RivetdProcess&) = delete;
  ~RivetdProcess();

  // Starts rivetd and waits until it listens. False (with log() telling why) if it exited or
  // did not listen in time.
  bool start();
  // Sends `signal` (SIGTERM: a normal stop; SIGKILL: a crash) and waits for the exit; returns
  // the exit status as from waitpid. Actions keep running either way; start() again adopts
  // them.
  int stop(int signal = SIGTERM);
  // Every process that outlived its rivetd under this data dir (supervisors and the actions
  // they run), killed; the destructor does this too.
  void killLeftovers();

  pid_t pid() const { return pid_; }  // -1 when not running
  std::uint16_t port() const { return port_; }
  std::string hostPort() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& dataDir() const { return data_dir_; }
  std::filesystem::path pkiDir() const { return data_dir_ / "pki"; }
  std::string log() const;

 private:
  TempDir dir_;
  std::filesystem::path data_dir_;
  std::vector<std::string> defines_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// Starts argv (no shell) with stdin on /dev/null and stdout and stderr to the given files
// (truncated); -1 if it cannot be started.
pid_t spawnProcess(const std::vector<std::string>& argv, const std::string& out_path,
                   const std::string& err_path);

// Runs a program to completion (argv, no shell) and returns its exit status and stdout.
struct ProgramResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
ProgramResult runProgram(const std::vector<std::string>& argv);

}  // namespace rivet::test
