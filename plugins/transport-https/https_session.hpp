// One accepted connection: TLS handshake, then HTTP/1.1 requests until either side closes.
#pragma once

// clang-format off: must stay first
#include <utility>  // before Asio: Boost 1.74 + GCC 12 need std::exchange declared first
// clang-format on

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "pending_responses.hpp"
#include "rivet/sdk/transport.hpp"

namespace rivet::plugins::transport_https {

struct SessionLimits {
  std::uint64_t max_body_bytes = 0;
  std::uint32_t max_header_bytes = 0;
  std::chrono::seconds idle_timeout{0};
  std::chrono::seconds handshake_timeout{0};
};

// Counts a connection as open from construction to destruction.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::atomic<std::size_t>& open_connections)
      : open_connections_(&open_connections) {
    ++*open_connections_;
  }
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : open_connections_(std::exchange(other.open_connections_, nullptr)) {}
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (open_connections_ != nullptr) --*open_connections_;
  }

 private:
  std::atomic<std::size_t>* open_connections_;
};

// "127.0.0.1:7443", or "[::1]:7443" for IPv6.
std::string endpointText(const boost::asio::ip::tcp::endpoint& endpoint);

// Serves `socket` on its own strand until the connection ends. The session keeps itself alive
// through its pending operations, or through `pending_responses` while the handler's response
// is pending; `tls`, `handler`, `pending_responses` and the counter behind `slot` must outlive
// the io_context the socket belongs to.
void serveConnection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                     sdk::RequestHandler& handler, PendingResponses& pending_responses,
                     const SessionLimits& limits, ConnectionSlot slot);

}  // namespace rivet::plugins::transport_https
