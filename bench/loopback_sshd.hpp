// rivet_bench_fleet_fanout's baseline: `ssh 127.0.0.1 true` N times against an sshd of our own.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "fan_out.hpp"
#include "loopback.hpp"
#include "rivet/test/temp_dir.hpp"
#include "watchdog.hpp"

namespace rivet::bench::fleet {

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
  // Opens the master connection (ssh ... true, which stays in the background); its time, or
  // nullopt on failure.
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

// `count` runs of `ssh ... true` to `sshd`, kBoundedConcurrency at once.
Figures sshFanOut(const std::string& label, LoopbackSshd& sshd, std::size_t count, bool shared);

}  // namespace rivet::bench::fleet
