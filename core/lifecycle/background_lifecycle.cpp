#include "lifecycle/background_lifecycle.hpp"

namespace rivet::core {

BackgroundLifecycle::BackgroundLifecycle(HistoryLifecycle& lifecycle,
                                         std::chrono::milliseconds interval, PassCallback on_pass)
    : lifecycle_(lifecycle),
      interval_(interval),
      on_pass_(std::move(on_pass)),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

BackgroundLifecycle::~BackgroundLifecycle() { stop(); }

void BackgroundLifecycle::stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void BackgroundLifecycle::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    const auto report = lifecycle_.runOnce(stop);
    if (on_pass_) on_pass_(report);
    std::unique_lock lock(mutex_);
    // Returns early, with stop requested, as soon as stop() is called.
    wake_.wait_for(lock, stop, interval_, [] { return false; });
  }
}

}  // namespace rivet::core
