// rivetd's metrics in the Prometheus text format, for GET /v1/metrics: what executions did
// (counts, durations, rejections), what is running and queued now, and the engine process's
// own memory and CPU. prometheus-cpp stays inside the .cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "rivet/sdk/types.hpp"

namespace rivet::core {

// Every method is safe to call from several threads at once.
class ExecutionMetrics {
 public:
  // Uptime counts from here: make it when rivetd starts.
  ExecutionMetrics();
  ExecutionMetrics(const ExecutionMetrics&) = delete;
  ExecutionMetrics& operator=(const ExecutionMetrics&) = delete;
  ~ExecutionMetrics();

  // rivet_executions_total{action,status} and rivet_execution_duration_seconds{action}.
  // `action_ref` is "<pack>.<action>".
  void executionEnded(const std::string& action_ref, sdk::ExecutionStatus final_status,
                      double duration_seconds);
  // rivet_executions_running and rivet_executions_queued.
  void setRunning(std::size_t count);
  void setQueued(std::size_t count);
  // rivet_pack_load_failures: packs that failed to load at the last (re)load.
  void packLoadFailures(std::size_t count);
  // rivet_pack_upgrade_failures_total{pack}: a version from the pack store not installed.
  void packUpgradeFailed(const std::string& pack);
  // rivet_executions_rejected_total{reason}, e.g. reason "queue_full".
  void executionRejected(const std::string& reason);

  // Samples the process gauges (rivet_process_resident_memory_bytes,
  // rivet_process_cpu_seconds_total, rivet_uptime_seconds), then serializes every family.
  std::string render() const;

 private:
  struct Families;
  std::unique_ptr<Families> families_;
  const std::chrono::steady_clock::time_point started_;
};

}  // namespace rivet::core
