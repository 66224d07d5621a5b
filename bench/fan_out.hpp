// What rivet_bench_fleet_fanout's two fan-outs (rivet's and ssh's) share: the figures of one,
// the CPU they cost, and the loop that spreads the hosts over threads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rivet::bench::fleet {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kBoundedConcurrency = 20;  // rivet's max-concurrency and ssh's fan-out

double secondsSince(Clock::time_point start);
double median(std::vector<double> samples);

// Runs work(i) for i < count on `threads` threads, each taking the next index when free.
void forEachOn(std::size_t count, std::size_t threads,
               const std::function<void(std::size_t)>& work);

// One fan-out's figures.
struct Figures {
  Figures(std::string label_text, bool did_run = false, double wall = 0)
      : label(std::move(label_text)), ran(did_run), wall_s(wall) {}
  std::string label;
  bool ran = false;
  double wall_s = 0;
  std::size_t ok = 0;
  std::size_t total = 0;
  double host_median_ms = 0;              // per host, as the caller saw it
  std::optional<double> agent_median_ms;  // the execution's own duration, rivet only
  double busy_percent = 0;                // of all cores, during the fan-out
  double caller_cpu_s = 0;                // our process (rivet) or the ssh clients
  // The agents (with their shims and actions) or sshd (with the sessions it has reaped: not
  // the ControlMaster's, still open).
  std::optional<double> server_cpu_s;
  std::string note;
};

// CPU time of the whole machine (all cores, from /proc/stat): busy and total, in seconds.
struct MachineCpu {
  double busy = 0;
  double total = 0;
};

// What a fan-out cost in CPU: the share of all cores busy during it (anything running on the
// machine counts) and the CPU time of the caller's side. `who` is RUSAGE_SELF (the caller is
// this process) or RUSAGE_CHILDREN (its waited-for children); `servers` are the serving side.
class CpuMeter {
 public:
  CpuMeter(int who, std::vector<pid_t> servers);
  double busyPercent() const;
  double callerSeconds() const;
  double serverSeconds() const;

 private:
  int who_;
  std::vector<pid_t> servers_;
  MachineCpu machine_;
  double caller_;
  double server_;
};

}  // namespace rivet::bench::fleet
