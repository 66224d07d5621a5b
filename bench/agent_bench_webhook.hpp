// The peer: Debian's `webhook` (adnanh/webhook) on 127.0.0.1 running /bin/true per request,
// answering once the command has ended (include-command-output-in-response), called over
// keep-alive plain HTTP/1.1 from this process.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "agent_bench_common.hpp"
#include "loopback.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::bench {

// Stopped and its directory removed when destroyed.
class WebhookPeer {
 public:
  static constexpr const char* kBinary = "/usr/bin/webhook";

  // Starts webhook; error() says why it is not running (not installed, did not listen).
  explicit WebhookPeer(Bench& bench);

  const std::string& error() const { return error_; }
  pid_t pid() const { return server_.pid(); }
  std::uint16_t port() const { return server_.port(); }

 private:
  rivet::test::TempDir dir_;
  LoopbackServer server_;  // after dir_: stopped before its files are removed
  std::string error_;
};

// One keep-alive HTTP/1.1 connection to the peer; one per worker thread.
class WebhookClient {
 public:
  explicit WebhookClient(std::uint16_t port);
  WebhookClient(const WebhookClient&) = delete;
  WebhookClient& operator=(const WebhookClient&) = delete;
  ~WebhookClient();
  // POST /hooks/true and read the answer (sent once /bin/true has ended): ms, or -1.
  double once();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rivet::bench
