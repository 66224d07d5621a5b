// Shared pieces of rivet_bench_agent (bench/agent_bench.cpp): the run's settings, the figures
// table, a rivetd started on the shared PKI and statistics.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "rivet/client/client.hpp"
#include "rivet/client/dev_pki.hpp"
#include "rivet/test/rivetd_process.hpp"
#include "watchdog.hpp"

namespace rivet::bench {

using Clock = std::chrono::steady_clock;

constexpr auto kBudget = std::chrono::seconds(245);    // then no further step starts
constexpr auto kHardStop = std::chrono::seconds(285);  // then the watchdog kills what we started

double msSince(Clock::time_point start);

// Median and p99 of samples in ms (count 0: no samples).
struct Summary {
  double median = 0;
  double p99 = 0;
  std::size_t count = 0;
};
Summary summarize(std::vector<double> samples);

// One line of the final table: what was measured, its figure, the baseline beside it, their
// ratio, the target and whether it is met ("" where there is no target).
struct Row {
  std::string label;
  std::string figure;
  std::string baseline;
  std::string ratio;
  std::string target;
  std::string met;
};

class Table {
 public:
  void add(Row row);
  void note(const std::string& text);  // a line under the table
  void print() const;

 private:
  mutable std::mutex mutex_;
  std::vector<Row> rows_;
  std::vector<std::string> notes_;
};

std::string fmt(const char* format, double value);
std::string ratioText(double figure, double baseline);

// What every step shares.
struct Bench {
  rivet::client::DevPkiFiles pki;
  std::string packs;           // the bench pack's parent directory
  int runs = 2000;             // round trips per action and concurrency
  int throughput_seconds = 10;
  std::size_t history_rows = 1'000'000;
  int output_lines = 300;
  Clock::time_point began = Clock::now();
  Watchdog* watchdog = nullptr;
  Table table;

  bool overBudget() const { return Clock::now() - began > kBudget; }
  rivet::client::Client client(std::uint16_t port) const;
};

// A rivetd of this build tree on 127.0.0.1 with the bench pack, the shared PKI and the plugins
// the benchmark needs; stopped, its leftovers killed and its temp dir removed when destroyed.
class Agent {
 public:
  Agent(Bench& bench, std::vector<std::string> extra_defines);
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  ~Agent();
  // Starts it; throws std::runtime_error with its log when it does not come up.
  void start();
  pid_t pid() const { return process_.pid(); }
  std::uint16_t port() const { return process_.port(); }
  const std::filesystem::path& dataDir() const { return process_.dataDir(); }

 private:
  Bench& bench_;
  rivet::test::RivetdProcess process_;
};

// posix_spawn + waitpid of argv (no shell, stdio on /dev/null); ms, or -1 on failure.
double spawnAndWait(const std::vector<std::string>& argv);

// Runs `once(worker)` from `workers` threads until `total` calls were made (or the budget is
// spent): each sample in ms, a negative one counted as a failure.
struct Samples {
  std::vector<double> ms;
  std::size_t failures = 0;
};
Samples runConcurrent(const Bench& bench, int workers, int total,
                      const std::function<double(int worker)>& once);

// One of the things a step times against the others: `runs` calls of `once(worker)`.
struct Contender {
  std::string name;
  int runs = 0;
  std::function<double(int worker)> once;
  Samples samples;
  double seconds = 0;  // wall time of its chunks
};
// Every contender makes its runs from `workers` threads in kChunks turns, after a warm-up of a
// few runs per worker, so that all see the same load.
void interleave(Bench& bench, int workers, std::vector<Contender>& contenders);

std::string medP99(const Summary& s);  // "median / p99"

// The steps (each adds its rows to bench.table; a failure throws std::runtime_error).
// `webhook_pid`: the peer, for its idle memory beside rivetd's (<= 0: not running).
void footprintStep(Bench& bench, pid_t webhook_pid);
void historyStep(Bench& bench);

}  // namespace rivet::bench
