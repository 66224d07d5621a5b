#include "loopback.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "rivet/test/loopback_port.hpp"
#include "rivet/test/rivetd_process.hpp"

namespace rivet::bench {

LoopbackServer::LoopbackServer(Watchdog& watchdog)
    : watchdog_(watchdog), port_(rivet::test::freeLoopbackPort()) {}

LoopbackServer::~LoopbackServer() { stop(); }

bool LoopbackServer::spawn(const std::vector<std::string>& argv, const std::string& out_path,
                           const std::string& err_path) {
  pid_ = rivet::test::spawnProcess(argv, out_path, err_path);
  if (pid_ <= 0) return false;
  watchdog_.add(pid_);
  return true;
}

bool LoopbackServer::awaitListening() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!rivet::test::acceptsConnections(port_)) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_ || std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);  // gone already, or not listening: either way no longer wanted
      waitpid(pid_, nullptr, 0);
      watchdog_.remove(pid_);
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void LoopbackServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (waitpid(pid_, nullptr, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  watchdog_.remove(pid_);
  pid_ = -1;
}

}  // namespace rivet::bench
