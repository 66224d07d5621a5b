// 127.0.0.1 ports and the peer servers the benchmarks run on them (sshd, webhook).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "watchdog.hpp"

namespace rivet::bench {

// A server process on 127.0.0.1:port() (a free port, chosen when constructed): on `watchdog`
// while it runs, stopped when destroyed.
class LoopbackServer {
 public:
  explicit LoopbackServer(Watchdog& watchdog);
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;
  ~LoopbackServer();

  // Starts argv (no shell; stdout and stderr to the given files); false if it cannot.
  bool spawn(const std::vector<std::string>& argv, const std::string& out_path,
             const std::string& err_path);
  // Waits up to 10 s until it accepts connections on port(); false (and it is killed) if it
  // exits or does not listen by then.
  bool awaitListening();
  // SIGTERM, then SIGKILL after 5 s; nothing once it is stopped.
  void stop();

  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }

 private:
  Watchdog& watchdog_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace rivet::bench
