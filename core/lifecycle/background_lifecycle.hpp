// Runs HistoryLifecycle passes on a thread of their own, so rivetd's request and executor
// threads never do this work.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "lifecycle/history_lifecycle.hpp"

namespace rivet::core {

class BackgroundLifecycle {
 public:
  using PassCallback = std::function<void(const LifecycleReport&)>;

  // Starts the thread: one pass right away, then one every `interval`. `on_pass`, if set, gets
  // each pass's report on that thread (for metrics). `lifecycle` must outlive this object.
  explicit BackgroundLifecycle(HistoryLifecycle& lifecycle,
                               std::chrono::milliseconds interval = std::chrono::hours(1),
                               PassCallback on_pass = {});
  BackgroundLifecycle(const BackgroundLifecycle&) = delete;
  BackgroundLifecycle& operator=(const BackgroundLifecycle&) = delete;
  ~BackgroundLifecycle();

  // Wakes the thread if it waits, interrupts a pass in progress at its next step (one store
  // batch or one execution directory), and returns once the thread has ended. Idempotent.
  void stop();

 private:
  void run(const std::stop_token& stop);

  HistoryLifecycle& lifecycle_;
  const std::chrono::milliseconds interval_;
  const PassCallback on_pass_;
  std::mutex mutex_;
  std::condition_variable_any wake_;  // woken by stop() through the thread's stop_token
  std::jthread thread_;               // last: started once everything it uses exists
};

}  // namespace rivet::core
