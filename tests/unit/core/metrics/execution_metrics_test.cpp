#include "metrics/execution_metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace rivet::core {
namespace {

using sdk::ExecutionStatus;
using ::testing::HasSubstr;

// The value of the one sample line starting with `series` (name and labels as rendered).
double sample(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) {
    ADD_FAILURE() << "no sample " << series << " in:\n" << text;
    return -1;
  }
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(ExecutionMetricsTest, EndedExecutionsAreCountedByActionAndStatus) {
  ExecutionMetrics metrics;
  metrics.executionEnded("linux.disk_usage", ExecutionStatus::succeeded, 0.2);
  metrics.executionEnded("linux.disk_usage", ExecutionStatus::succeeded, 2.0);
  metrics.executionEnded("linux.disk_usage", ExecutionStatus::failed, 4000);
  metrics.executionEnded("core.echo", ExecutionStatus::timeout, 30);
  const auto text = metrics.render();

  EXPECT_THAT(text, HasSubstr("# TYPE rivet_executions_total counter"));
  EXPECT_EQ(sample(text, R"(rivet_executions_total{action="linux.disk_usage",status="succeeded"})"),
            2);
  EXPECT_EQ(sample(text, R"(rivet_executions_total{action="linux.disk_usage",status="failed"})"),
            1);
  EXPECT_EQ(sample(text, R"(rivet_executions_total{action="core.echo",status="timeout"})"), 1);

  EXPECT_THAT(text, HasSubstr("# TYPE rivet_execution_duration_seconds histogram"));
  const std::string disk = R"(rivet_execution_duration_seconds)";
  EXPECT_EQ(sample(text, disk + R"(_count{action="linux.disk_usage"})"), 3);
  EXPECT_DOUBLE_EQ(sample(text, disk + R"(_sum{action="linux.disk_usage"})"), 4002.2);
  EXPECT_EQ(sample(text, disk + R"(_bucket{action="linux.disk_usage",le="0.01"})"), 0);
  EXPECT_EQ(sample(text, disk + R"(_bucket{action="linux.disk_usage",le="0.25"})"), 1);
  EXPECT_EQ(sample(text, disk + R"(_bucket{action="linux.disk_usage",le="2.5"})"), 2);
  EXPECT_EQ(sample(text, disk + R"(_bucket{action="linux.disk_usage",le="3600"})"), 2);
  EXPECT_EQ(sample(text, disk + R"(_bucket{action="linux.disk_usage",le="+Inf"})"), 3);
  EXPECT_EQ(sample(text, disk + R"(_count{action="core.echo"})"), 1);
}

TEST(ExecutionMetricsTest, GaugesHoldTheLastValueSet) {
  ExecutionMetrics metrics;
  metrics.setRunning(3);
  metrics.setRunning(2);
  metrics.setQueued(7);
  metrics.packLoadFailures(1);
  const auto text = metrics.render();
  EXPECT_THAT(text, HasSubstr("# TYPE rivet_executions_running gauge"));
  EXPECT_EQ(sample(text, "rivet_executions_running"), 2);
  EXPECT_EQ(sample(text, "rivet_executions_queued"), 7);
  EXPECT_EQ(sample(text, "rivet_pack_load_failures"), 1);
}

TEST(ExecutionMetricsTest, RejectionsAreCountedByReason) {
  ExecutionMetrics metrics;
  metrics.executionRejected("queue_full");
  metrics.executionRejected("queue_full");
  metrics.executionRejected("stopping");
  const auto text = metrics.render();
  EXPECT_THAT(text, HasSubstr("# TYPE rivet_executions_rejected_total counter"));
  EXPECT_EQ(sample(text, R"(rivet_executions_rejected_total{reason="queue_full"})"), 2);
  EXPECT_EQ(sample(text, R"(rivet_executions_rejected_total{reason="stopping"})"), 1);
}

TEST(ExecutionMetricsTest, ProcessGaugesAreSampledAtRender) {
  ExecutionMetrics metrics;
  // Some CPU time of our own, so that the sample is above zero.
  volatile double sink = 0;
  for (int i = 0; i < 20'000'000; ++i) sink = sink + i * 0.5;
  const auto text = metrics.render();
  EXPECT_GT(sample(text, "rivet_process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(sample(text, "rivet_process_cpu_seconds_total"), 0);
  EXPECT_GE(sample(text, "rivet_uptime_seconds"), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GT(sample(metrics.render(), "rivet_uptime_seconds"), sample(text, "rivet_uptime_seconds"));
}

TEST(ExecutionMetricsTest, ConcurrentUpdatesAreAllCounted) {
  ExecutionMetrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 1000; ++i) {
        metrics.executionEnded("linux.uptime", ExecutionStatus::succeeded, 0.01 * i);
        metrics.executionRejected("queue_full");
        if (i % 100 == 0) metrics.render();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto text = metrics.render();
  EXPECT_EQ(sample(text, R"(rivet_executions_total{action="linux.uptime",status="succeeded"})"),
            4000);
  EXPECT_EQ(sample(text, R"(rivet_execution_duration_seconds_count{action="linux.uptime"})"), 4000);
  EXPECT_EQ(sample(text, R"(rivet_executions_rejected_total{reason="queue_full"})"), 4000);
}

}  // namespace
}  // namespace rivet::core
