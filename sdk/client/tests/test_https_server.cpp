// Asio with C++20 on Boost 1.74 needs <utility> before its headers (std::exchange).
#include "test_https_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
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

  // Returning closes the socket (with `stream`), without a TLS close_notify.
  void serveConnection(ssl::stream<tcp::socket>& stream) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      beast::error_code error;
      http::read(stream, buffer, request, error);
      if (error) return;
      TestRequest seen{std::string(request.method_string()),
                       std::string(request.target()),
                       request.body(),
                       std::string(request[http::field::content_type]),
                       {}};
      for (const auto& field : request) {
        seen.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      const TestResponse answer = handler(seen);
      ++requests;  // before the write, so a client that has its answer sees the count
      if (answer.drop_without_answer) return;
      if (answer.chunks.empty()) {
        http::response<http::string_body> response{
            static_cast<http::status>(answer.response.status), 11};
        setHeaders(response, answer.response, request.keep_alive());
        response.body() = answer.response.body;
        response.prepare_payload();
        http::write(stream, response, error);
      } else if (!writeChunked(stream, answer, request.keep_alive())) {
        return;
      }
      if (error || close_after_response) return;
    }
  }

  template <typename Body>
  static void setHeaders(http::response<Body>& message, const Response& answer, bool keep_alive) {
    for (const auto& [name, value] : answer.headers) message.set(name, value);
    message.keep_alive(keep_alive);
  }

  // Whether the connection may go on.
  static bool writeChunked(ssl::stream<tcp::socket>& stream, const TestResponse& answer,
                           bool keep_alive) {
    http::response<http::empty_body> header{static_cast<http::status>(answer.response.status), 11};
    setHeaders(header, answer.response, keep_alive);
    header.chunked(true);
    http::response_serializer<http::empty_body> serializer(header);
    beast::error_code error;
    http::write_header(stream, serializer, error);
    for (std::size_t i = 0; i < answer.chunks.size() && !error; ++i) {
      if (answer.before_chunk) answer.before_chunk(i);
      asio::write(stream, http::make_chunk(asio::buffer(answer.chunks[i])), error);
    }
    if (error || answer.drop_after_chunks) return false;
    asio::write(stream, http::make_chunk_last(), error);
    return !error;
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

std::string TestRequest::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (beast::iequals(field, beast::string_view(name.data(), name.size()))) return value;
  }
  return "";
}

TestResponse TestResponse::dropped() {
  TestResponse answer(Response{});
  answer.drop_without_answer = true;
  return answer;
}

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
