#include "metrics/execution_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace rivet::core {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// From a 10 ms `true` to an hour-long backup.
const Histogram::BucketBoundaries kDurationBuckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1,   2.5,  5,
                                                      10,   30,   60,  120,  300, 600, 1800, 3600};

template <class Builder>
auto& registerFamily(Builder builder, const std::string& name, const std::string& help,
                     prometheus::Registry& registry) {
  return builder.Name(name).Help(help).Register(registry);
}

double residentMemoryBytes() {
  std::ifstream statm("/proc/self/statm");
  double size_pages = 0;
  double resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double cpuSeconds() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

// prometheus-cpp's families and metrics lock or use atomics themselves: no lock here.
struct ExecutionMetrics::Families {
  prometheus::Registry registry;
  Family<Counter>& executions =
      registerFamily(prometheus::BuildCounter(), "rivet_executions_total",
                     "Executions ended, by action and final status", registry);
  Family<Histogram>& durations =
      registerFamily(prometheus::BuildHistogram(), "rivet_execution_duration_seconds",
                     "Time from start to end of ended executions, by action", registry);
  Family<Counter>& rejections =
      registerFamily(prometheus::BuildCounter(), "rivet_executions_rejected_total",
                     "Execution requests refused before they were accepted, by reason", registry);
  Gauge& running = registerFamily(prometheus::BuildGauge(), "rivet_executions_running",
                                  "Executions running now", registry)
                       .Add({});
  Gauge& queued = registerFamily(prometheus::BuildGauge(), "rivet_executions_queued",
                                 "Accepted executions waiting for a free slot", registry)
                      .Add({});
  Gauge& pack_load_failures = registerFamily(prometheus::BuildGauge(), "rivet_pack_load_failures",
                                             "Packs that failed to load", registry)
                                  .Add({});
  Family<Counter>& pack_upgrade_failures =
      registerFamily(prometheus::BuildCounter(), "rivet_pack_upgrade_failures_total",
                     "Pack versions from the pack store that could not be installed, by pack",
                     registry);
  Gauge& resident_memory =
      registerFamily(prometheus::BuildGauge(), "rivet_process_resident_memory_bytes",
                     "Resident memory of the rivetd process", registry)
          .Add({});
  Gauge& cpu_seconds = registerFamily(prometheus::BuildGauge(), "rivet_process_cpu_seconds_total",
                                      "User and system CPU time of the rivetd process", registry)
                           .Add({});
  Gauge& uptime = registerFamily(prometheus::BuildGauge(), "rivet_uptime_seconds",
                                 "Seconds since rivetd started", registry)
                      .Add({});
};

ExecutionMetrics::ExecutionMetrics()
    : families_(std::make_unique<Families>()), started_(std::chrono::steady_clock::now()) {}

ExecutionMetrics::~ExecutionMetrics() = default;

void ExecutionMetrics::executionEnded(const std::string& action_ref,
                                      sdk::ExecutionStatus final_status, double duration_seconds) {
  families_->executions
      .Add({{"action", action_ref}, {"status", std::string(toString(final_status))}})
      .Increment();
  families_->durations.Add({{"action", action_ref}}, kDurationBuckets).Observe(duration_seconds);
}

void ExecutionMetrics::setRunning(std::size_t count) {
  families_->running.Set(static_cast<double>(count));
}

void ExecutionMetrics::setQueued(std::size_t count) {
  families_->queued.Set(static_cast<double>(count));
}

void ExecutionMetrics::packLoadFailures(std::size_t count) {
  families_->pack_load_failures.Set(static_cast<double>(count));
}

void ExecutionMetrics::packUpgradeFailed(const std::string& pack) {
  families_->pack_upgrade_failures.Add({{"pack", pack}}).Increment();
}

void ExecutionMetrics::executionRejected(const std::string& reason) {
  families_->rejections.Add({{"reason", reason}}).Increment();
}

std::string ExecutionMetrics::render() const {
  families_->resident_memory.Set(residentMemoryBytes());
  families_->cpu_seconds.Set(cpuSeconds());
  families_->uptime.Set(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  return prometheus::TextSerializer().Serialize(families_->registry.Collect());
}

}  // namespace rivet::core
