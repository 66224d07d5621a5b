// A small synchronous HTTPS client for the transport tests: one connection, mutual TLS, and
// raw writes for requests a well-behaved client would never send.
#pragma once

// clang-format off: must stay first
#include <utility>  // before Asio: Boost 1.74 + GCC 12 need std::exchange declared first
// clang-format on

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace rivet::plugins::transport_https::test {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using ResponseParser = boost::beast::http::response_parser<boost::beast::http::string_body>;
using Deadline = std::chrono::steady_clock::time_point;

Request makeRequest(boost::beast::http::verb method, std::string target, std::string body = {});

class HttpsTestClient {
 public:
  // Trusts ca_file for the server; presents cert_file/key_file unless they are empty.
  HttpsTestClient(std::uint16_t port, const std::string& ca_file, const std::string& cert_file,
                  const std::string& key_file);

  // TCP connect to 127.0.0.1 and the TLS handshake (server name checked as "localhost").
  boost::system::error_code connect();
  // Writes the request (framed with Content-Length) and reads one response.
  boost::system::error_code exchange(Request request, Response& response);
  boost::system::error_code writeRaw(std::string_view bytes);
  boost::system::error_code readResponse(Response& response);
  // Reads a response header into `parser`, leaving its body to readBodyUntil.
  boost::system::error_code readHeader(ResponseParser& parser);
  // Reads body bytes into parser.get().body() as they arrive until `done()` holds, the body
  // ends or `deadline` passes (then timed_out): for watching a streamed body piece by piece.
  boost::system::error_code readBodyUntil(ResponseParser& parser, const std::function<bool()>& done,
                                          Deadline deadline);
  // Blocks until the server ends the connection; returns how it ended (eof, truncation...),
  // or success if data arrived instead.
  boost::system::error_code readUntilClosed();

 private:
  boost::asio::io_context io_context_;
  boost::asio::ssl::context tls_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  std::uint16_t port_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace rivet::plugins::transport_https::test
