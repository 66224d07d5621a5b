// Asio with C++20 on Boost 1.74 needs <utility> before its headers (std::exchange).
#include "test_https_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>
#include <utility>

namespace rivet::client::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct TestHttpsServer::State {
  State(const ServerTlsFiles& tls_files, Handler request_handler, bool close_after)
      : tls(ssl::context::tls_server),
        acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        handler(std::move(request_handler)),
        close_after_response(close_after) {
    tls.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    tls.load_verify_file(tls_files.ca_file);
    tls.use_certificate_chain_file(tls_files.cert_file);
    tls.use_private_key_file(tls_files.key_file, ssl::context::pem);
  }

  void serve() {
    while (true) {
      tcp::socket socket(io);
      beast::error_code error;
      acceptor.accept(socket, error);
      if (stopping || error) return;
      ++connections;
      ssl::stream<tcp::socket> stream(std::move(socket), tls);
      stream.handshake(ssl::stream_base::server, error);
      if (!error) serveConnection(stream);
    }
  }

  void serveConnection(ssl::stream<tcp::socket>& stream) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      beast::error_code error;
      http::read(stream, buffer, request, error);
      if (error) return;
      const Response answer =
          handler({std::string(request.method_string()), std::string(request.target()),
                   request.body(), std::string(request[http::field::content_type])});
      http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
      for (const auto& [name, value] : answer.headers) response.set(name, value);
      response.body() = answer.body;
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      ++requests;  // before the write, so a client that has its answer sees the count
      http::write(stream, response, error);
      if (error || close_after_response) return;  // the socket closes with `stream`
    }
  }

  asio::io_context io;
  ssl::context tls;
  tcp::acceptor acceptor;
  Handler handler;
  bool close_after_response;
  std::atomic<bool> stopping{false};
  std::atomic<int> connections{0};
  std::atomic<int> requests{0};
  std::thread thread;
};

TestHttpsServer::TestHttpsServer(const ServerTlsFiles& tls_files, Handler handler,
                                 bool close_after_response)
    : state_(std::make_unique<State>(tls_files, std::move(handler), close_after_response)) {
  state_->thread = std::thread([state = state_.get()] { state->serve(); });
}

TestHttpsServer::~TestHttpsServer() {
  // accept() blocks: wake it with one last connection once `stopping` is set.
  state_->stopping = true;
  asio::io_context io;
  tcp::socket waker(io);
  beast::error_code error;
  waker.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()), error);
  state_->thread.join();
}

std::uint16_t TestHttpsServer::port() const { return state_->acceptor.local_endpoint().port(); }

int TestHttpsServer::connectionsAccepted() const { return state_->connections; }

int TestHttpsServer::requestsServed() const { return state_->requests; }

}  // namespace rivet::client::testing
