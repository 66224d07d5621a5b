#include "lifecycle/background_lifecycle.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "lifecycle_fixture.hpp"

namespace rivet::core::testing {
namespace {

using namespace std::chrono_literals;

// Reports of the passes a BackgroundLifecycle ran, as they arrive from its thread.
class PassLog {
 public:
  void add(const LifecycleReport& report) {
    std::lock_guard lock(mutex_);
    reports_.push_back(report);
    arrived_.notify_all();
  }
  bool waitFor(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] { return reports_.size() >= count; });
  }
  std::vector<LifecycleReport> reports() {
    std::lock_guard lock(mutex_);
    return reports_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<LifecycleReport> reports_;
};

TEST_F(LifecycleTest, BackgroundRunsAPassAtOnceAndStopsPromptly) {
  const auto dir = addExecution("e-1", kT0, kT0 + kMinuteMs);
  now_ms_ = kT0 + 2 * kDayMs;  // set before the thread starts: it reads the clock
  auto lifecycle = makeLifecycle(options());
  PassLog passes;
  BackgroundLifecycle background(lifecycle, std::chrono::hours(1),
                                 [&](const LifecycleReport& report) { passes.add(report); });
  ASSERT_TRUE(passes.waitFor(1, 10s));
  EXPECT_EQ(passes.reports().at(0).compressed_files, 2u);
  EXPECT_TRUE(std::filesystem::exists(dir / "stdout.zst"));

  // The thread now waits an hour for its next pass; stop() must not wait for that.
  const auto before = std::chrono::steady_clock::now();
  background.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
  EXPECT_EQ(passes.reports().size(), 1u);
  background.stop();  // idempotent; the destructor calls it once more
}

TEST_F(LifecycleTest, BackgroundRunsAgainEveryInterval) {
  auto lifecycle = makeLifecycle(options());
  PassLog passes;
  BackgroundLifecycle background(lifecycle, 20ms,
                                 [&](const LifecycleReport& report) { passes.add(report); });
  EXPECT_TRUE(passes.waitFor(3, 10s));
}

}  // namespace
}  // namespace rivet::core::testing
