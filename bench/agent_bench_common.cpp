#include "agent_bench_common.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "bench_rivetd.hpp"

extern char** environ;

namespace rivet::bench {
namespace {

constexpr int kChunks = 4;  // contenders take turns in this many chunks

}  // namespace

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

Summary summarize(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  const auto n = samples.size();
  return {samples[n / 2], samples[std::min(n - 1, n * 99 / 100)], n};
}

void Table::add(Row row) {
  std::lock_guard lock(mutex_);
  std::fprintf(stderr, "  .. %s: %s\n", row.label.c_str(), row.figure.c_str());
  rows_.push_back(std::move(row));
}

void Table::note(const std::string& text) {
  std::lock_guard lock(mutex_);
  std::fprintf(stderr, "  .. %s\n", text.c_str());
  notes_.push_back(text);
}

void Table::print() const {
  std::lock_guard lock(mutex_);
  std::printf("%-44s %-16s %-24s %-8s %-10s %s\n", "figure", "rivet", "baseline (same run)",
              "ratio", "target", "met");
  for (const auto& row : rows_) {
    if (row.figure.empty() && row.baseline.empty()) {
      std::printf("%s\n", row.label.c_str());  // a section heading
      continue;
    }
    std::printf("  %-42s %-16s %-24s %-8s %-10s %s\n", row.label.c_str(), row.figure.c_str(),
                row.baseline.c_str(), row.ratio.c_str(), row.target.c_str(), row.met.c_str());
  }
  for (const auto& note : notes_) std::printf("note: %s\n", note.c_str());
}

std::string fmt(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string ratioText(double figure, double baseline) {
  return baseline > 0 ? fmt("%.2fx", figure / baseline) : "-";
}

rivet::client::Client Bench::client(std::uint16_t port) const {
  return rivet::client::Client({"127.0.0.1", port}, {pki.ca_cert, pki.client_cert, pki.client_key});
}

Agent::Agent(Bench& bench, std::vector<std::string> extra_defines)
    : bench_(bench), process_([&] {
        auto defines = benchRivetdDefines(bench.pki, bench.packs);
        defines.insert(defines.end(), extra_defines.begin(), extra_defines.end());
        return defines;
      }()) {}

Agent::~Agent() {
  const pid_t pid = process_.pid();
  process_.stop();
  if (pid > 0) bench_.watchdog->remove(pid);
  // The RivetdProcess destructor kills what outlived rivetd and removes its directory.
}

void Agent::start() {
  const bool started = process_.start();
  if (process_.pid() > 0) bench_.watchdog->add(process_.pid());
  if (!started) throw std::runtime_error("rivetd did not start:\n" + process_.log());
}

double spawnAndWait(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  const auto start = Clock::now();
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return msSince(start);
}

Samples runConcurrent(const Bench& bench, int workers, int total,
                      const std::function<double(int worker)>& once) {
  std::atomic<int> next{0};
  std::vector<std::vector<double>> per_worker(workers);
  std::atomic<std::size_t> failures{0};
  {
    std::vector<std::jthread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        while (next++ < total && !bench.overBudget() && !bench.watchdog->fired()) {
          const double ms = once(w);
          if (ms < 0)
            ++failures;
          else
            per_worker[w].push_back(ms);
        }
      });
    }
  }
  Samples samples;
  for (auto& ms : per_worker) samples.ms.insert(samples.ms.end(), ms.begin(), ms.end());
  samples.failures = failures;
  return samples;
}

void interleave(Bench& bench, int workers, std::vector<Contender>& contenders) {
  for (auto& contender : contenders) runConcurrent(bench, workers, workers * 3, contender.once);
  for (int chunk = 0; chunk < kChunks; ++chunk) {
    for (auto& contender : contenders) {
      const int runs = contender.runs * (chunk + 1) / kChunks - contender.runs * chunk / kChunks;
      const auto start = Clock::now();
      auto part = runConcurrent(bench, workers, runs, contender.once);
      contender.seconds += msSince(start) / 1000;
      contender.samples.ms.insert(contender.samples.ms.end(), part.ms.begin(), part.ms.end());
      contender.samples.failures += part.failures;
    }
  }
}

std::string medP99(const Summary& s) { return fmt("%.2f", s.median) + fmt(" / %.2f", s.p99); }

}  // namespace rivet::bench
