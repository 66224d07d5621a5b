#include "watchdog.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>

namespace rivet::bench {

Watchdog::Watchdog(std::chrono::seconds hard_stop, std::chrono::seconds cleanup_grace)
    : hard_stop_(hard_stop), cleanup_grace_(cleanup_grace), thread_([this] { watch(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Watchdog::add(pid_t pid) {
  std::lock_guard lock(mutex_);
  pids_.insert(pid);
}

void Watchdog::remove(pid_t pid) {
  std::lock_guard lock(mutex_);
  pids_.erase(pid);
}

void Watchdog::watch() {
  std::unique_lock lock(mutex_);
  if (wake_.wait_for(lock, hard_stop_, [this] { return done_; })) return;
  fired_ = true;
  std::cerr << "watchdog: still running after " << hard_stop_.count()
            << " s; killing the processes this benchmark started\n";
  for (const pid_t pid : pids_) ::kill(pid, SIGKILL);
  if (wake_.wait_for(lock, cleanup_grace_, [this] { return done_; })) return;
  std::cerr << "watchdog: cleanup did not finish; exiting\n";
  std::_Exit(3);
}

}  // namespace rivet::bench
