#include "https_server.hpp"

#include <boost/asio/strand.hpp>
#include <chrono>
#include <exception>
#include <string>

namespace rivet::plugins::transport_https {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// After a failed accept (typically out of file descriptors), wait before the next one rather
// than spin on the same error.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

HttpsServer::HttpsServer(net::ssl::context& tls, sdk::RequestHandler& handler, sdk::Logger& logger,
                         const SessionLimits& limits, std::size_t max_connections, int threads)
    : tls_(tls),
      handler_(handler),
      logger_(logger),
      limits_(limits),
      max_connections_(max_connections),
      thread_count_(threads),
      io_context_(threads),
      acceptor_(net::make_strand(io_context_)),
      accept_retry_timer_(acceptor_.get_executor()) {}

HttpsServer::~HttpsServer() {
  io_context_.stop();
  for (auto& thread : threads_) thread.join();
  pending_responses_->releaseAll();
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

sdk::Status HttpsServer::start(const tcp::endpoint& endpoint) {
  boost::system::error_code error;
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(net::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(net::socket_base::max_listen_connections, error);
  if (error) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return sdk::Status(
        sdk::ErrorCode::unavailable,
        "transport-https: cannot listen on " + endpointText(endpoint) + ": " + error.message());
  }
  accept();
  threads_.reserve(static_cast<std::size_t>(thread_count_));
  for (int i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { serve(); });
  return {};
}

tcp::endpoint HttpsServer::localEndpoint() const {
  boost::system::error_code error;
  return acceptor_.local_endpoint(error);
}

void HttpsServer::accept() {
  acceptor_.async_accept(net::make_strand(io_context_),
                         [this](boost::system::error_code error, tcp::socket socket) {
                           onAccept(error, std::move(socket));
                         });
}

void HttpsServer::onAccept(boost::system::error_code error, tcp::socket socket) {
  if (error == net::error::operation_aborted) return;
  if (error) {
    logger_.log(sdk::LogLevel::warning, "transport-https: accept failed: " + error.message());
    accept_retry_timer_.expires_after(kAcceptRetryDelay);
    accept_retry_timer_.async_wait([this](boost::system::error_code wait_error) {
      if (!wait_error) accept();
    });
    return;
  }
  // Over the limit the socket is closed as it goes out of scope, before any TLS work.
  if (open_connections_.load() < max_connections_) {
    // A response is written in pieces (headers, body, TLS records): without this, Nagle's
    // algorithm holds the last piece until the client's delayed ACK, ~40 ms per request.
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    serveConnection(std::move(socket), tls_, handler_, *pending_responses_, limits_,
                    ConnectionSlot(open_connections_));
  }
  accept();
}

// A handler that throws ends only the operation it belongs to (that connection), not the
// thread: the exception is logged and the thread goes back to serving.
void HttpsServer::serve() noexcept {
  for (;;) {
    try {
      io_context_.run();
      return;
    } catch (const std::exception& error) {
      logger_.log(sdk::LogLevel::error, std::string("transport-https: ") + error.what());
    } catch (...) {
      logger_.log(sdk::LogLevel::error, "transport-https: unknown exception");
    }
  }
}

}  // namespace rivet::plugins::transport_https
