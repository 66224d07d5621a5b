// The benchmarks' guard against a run that hangs: see Watchdog.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace rivet::bench {

// Every process a benchmark started and that must not outlive it: the watchdog kills them when
// the run overstays `hard_stop`, so every wait in the main thread ends and the destructors clean
// up; if that cleanup takes longer than `cleanup_grace`, it exits the process.
class Watchdog {
 public:
  Watchdog(std::chrono::seconds hard_stop, std::chrono::seconds cleanup_grace);
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog();
  void add(pid_t pid);
  void remove(pid_t pid);
  bool fired() const { return fired_; }

 private:
  void watch();

  const std::chrono::seconds hard_stop_;
  const std::chrono::seconds cleanup_grace_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::set<pid_t> pids_;
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;  // last: it starts watching once the members above exist
};

}  // namespace rivet::bench
