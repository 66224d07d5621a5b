// rivet_bench_fleet_fanout's rivet side: N rivetd agents on 127.0.0.1 and the fan-out of
// `bench.noop` to them with client::runFleet.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fan_out.hpp"
#include "rivet/client/dev_pki.hpp"
#include "rivet/client/fleet.hpp"
#include "rivet/test/rivetd_process.hpp"
#include "watchdog.hpp"

namespace rivet::bench::fleet {

constexpr std::size_t kStarterThreads = 8;  // agents started at once

// N agents sharing one PKI and one pack; all stopped (at once) and removed when destroyed.
// Each is on `watchdog` while it runs.
class Agents {
 public:
  Agents(std::size_t count, const rivet::client::DevPkiFiles& pki, const std::string& packs,
         Watchdog& watchdog);
  Agents(const Agents&) = delete;
  Agents& operator=(const Agents&) = delete;
  ~Agents();

  const std::string& error() const { return error_; }  // why an agent did not start, or ""
  double startupSeconds() const { return startup_s_; }
  std::vector<pid_t> pids() const;
  std::vector<rivet::client::Instance> instances() const;
  // Sums over the agents' processes: VmRSS (shared pages counted in each), Pss (shared pages
  // split among their sharers) and threads.
  struct Footprint {
    double rss_mib = 0;
    double pss_mib = 0;
    long threads = 0;
  };
  Footprint footprint() const;

 private:
  Watchdog& watchdog_;
  std::vector<std::unique_ptr<rivet::test::RivetdProcess>> agents_;
  std::mutex error_mutex_;
  std::string error_;
  double startup_s_ = 0;
};

// `bench.noop` on `instances` with the parallel strategy, at most `bound` at once (nullopt: all);
// `agent_pids` are the agents, for their CPU time.
Figures rivetFanOut(const std::string& label, const std::vector<rivet::client::Instance>& instances,
                    const std::vector<pid_t>& agent_pids, const rivet::client::DevPkiFiles& pki,
                    std::optional<std::size_t> bound);

}  // namespace rivet::bench::fleet
