// The server core: an io_context run by a few threads, and an acceptor that hands each
// connection to its own session (https_session.hpp). It knows nothing of routes: every request
// goes to the RequestHandler it was given.
#pragma once

// clang-format off: must stay first
#include <utility>  // before Asio: Boost 1.74 + GCC 12 need std::exchange declared first
// clang-format on

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "https_session.hpp"
#include "pending_responses.hpp"
#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/transport.hpp"

namespace rivet::plugins::transport_https {

// Serves once: start(), then destroy to stop. Destruction stops the threads, closes the
// acceptor and every connection, and returns only after the handler's last call returned.
class HttpsServer {
 public:
  HttpsServer(boost::asio::ssl::context& tls, sdk::RequestHandler& handler, sdk::Logger& logger,
              const SessionLimits& limits, std::size_t max_connections, int threads);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Binds and listens on `endpoint`, then starts the threads.
  sdk::Status start(const boost::asio::ip::tcp::endpoint& endpoint);

  // The bound address, the port resolved when 0 was asked for.
  boost::asio::ip::tcp::endpoint localEndpoint() const;

 private:
  void accept();
  void onAccept(boost::system::error_code error, boost::asio::ip::tcp::socket socket);
  void serve() noexcept;

  boost::asio::ssl::context& tls_;
  sdk::RequestHandler& handler_;
  sdk::Logger& logger_;
  const SessionLimits limits_;
  const std::size_t max_connections_;
  const int thread_count_;
  std::atomic<std::size_t> open_connections_{0};
  std::shared_ptr<PendingResponses> pending_responses_ = std::make_shared<PendingResponses>();
  // Declared after what sessions refer to: destroying the io_context destroys the sessions
  // still waiting in it.
  boost::asio::io_context io_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_timer_;
  std::vector<std::thread> threads_;
};

}  // namespace rivet::plugins::transport_https
