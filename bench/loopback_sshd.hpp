// The benchmarks' ssh peer: an sshd of our own on 127.0.0.1 for `ssh HOST true`
// (rivet_bench_fleet_fanout fans out to it, rivet_bench_agent times single runs).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loopback.hpp"
#include "rivet/test/temp_dir.hpp"
#include "watchdog.hpp"

namespace rivet::bench {

// Our own sshd on 127.0.0.1: a fresh host key, a fresh client key, its own config; on
// `watchdog` while it runs, killed and removed when destroyed. error() says why it did not start.
class LoopbackSshd {
 public:
  explicit LoopbackSshd(Watchdog& watchdog);
  ~LoopbackSshd();

  const std::string& error() const { return error_; }
  pid_t pid() const { return server_.pid(); }

  // `ssh ... true`; with `shared`, through the ControlMaster connection (made by the first).
  std::vector<std::string> command(bool shared) const;
  // Runs command(shared) to its end; whether ssh exited 0.
  bool runTrue(bool shared) const;
  // Opens the master connection (ssh ... true, which stays in the background); its time in
  // ms, or nullopt on failure.
  std::optional<double> openMaster();
  void closeMaster();
  std::string log() const;  // the ssh client's errors of openMaster()

 private:
  rivet::test::TempDir dir_;
  LoopbackServer server_;  // after dir_: stopped before its files are removed
  std::string error_;
  std::string user_;
  bool made_run_dir_ = false;
  bool master_open_ = false;
};

// A started LoopbackSshd, or null when sshd or the ssh client is not installed or sshd did not
// start; then `why_not` says which, for the benchmark's skip note.
std::unique_ptr<LoopbackSshd> startLoopbackSshd(Watchdog& watchdog, std::string& why_not);

}  // namespace rivet::bench
