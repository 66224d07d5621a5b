// Asio with C++20 on Boost 1.74 needs <utility> before its headers (std::exchange).
#include "https_connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>
#include <system_error>
#include <utility>

namespace rivet::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using rivet::sdk::ErrorCode;
using rivet::sdk::Status;
using rivet::sdk::StatusOr;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Room for a full page of executions with large parameters; output comes in 1 MiB chunks.
constexpr std::uint64_t kMaxResponseBodyBytes = 64ull * 1024 * 1024;

constexpr const char* kIdempotencyKeyHeader = "Idempotency-Key";

bool isIpAddress(const std::string& host) {
  boost::system::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

// What a kept-alive connection meets when the server dropped it while it sat idle.
bool isConnectionClosed(const beast::error_code& error) {
  return error == http::error::end_of_stream || error == asio::error::eof ||
         error == asio::error::connection_reset || error == asio::error::broken_pipe ||
         error == ssl::error::stream_truncated;
}

bool isIdempotent(http::verb method) {
  return method == http::verb::get || method == http::verb::head || method == http::verb::put ||
         method == http::verb::delete_ || method == http::verb::options;
}

std::string durationText(std::chrono::milliseconds duration) {
  return duration.count() % 1000 == 0 ? std::to_string(duration.count() / 1000) + " s"
                                      : std::to_string(duration.count()) + " ms";
}

// Why a file cannot be used, checked before OpenSSL whose messages ("system lib") say little.
std::optional<std::string> unreadableFileReason(const std::string& path) {
  if (path.empty()) return "no file given";
  if (::access(path.c_str(), R_OK) != 0) return std::generic_category().message(errno);
  return std::nullopt;
}

class BeastHttpsConnection final : public HttpsConnection {
 public:
  BeastHttpsConnection(Endpoint endpoint, TlsFiles tls_files, Timeouts timeouts,
                       ClientCertificate client_certificate)
      : endpoint_(std::move(endpoint)),
        tls_files_(std::move(tls_files)),
        timeouts_(timeouts),
        client_certificate_(client_certificate) {}

  const Endpoint& endpoint() const override { return endpoint_; }

  StatusOr<Response> send(std::string_view method, const std::string& target,
                          const std::string& body, const Headers& headers,
                          std::chrono::milliseconds answer_delay) override;

  StatusOr<Response> receive(std::string_view method, const std::string& target,
                             const Headers& headers,
                             const std::function<void(const Response&)>& on_header,
                             const std::function<void(std::string_view)>& on_body) override;

 private:
  using Request = http::request<http::string_body>;

  // How to read the response: where a streamed body goes (null members: read it whole), and
  // how long the server may hold it on purpose.
  struct ReadOptions {
    const std::function<void(const Response&)>* on_header = nullptr;
    const std::function<void(std::string_view)>* on_body = nullptr;
    std::chrono::milliseconds answer_delay{0};  // added to the request timeout
  };

  // How one attempt to exchange a request for a response ended.
  struct Exchange {
    beast::error_code error;
    bool request_written = false;
    bool response_started = false;
    bool streaming = false;  // the body was being handed to a sink (no timeout)
    Response response;
  };

  StatusOr<Request> makeRequest(std::string_view method, const std::string& target,
                                const std::string& body, const Headers& headers) const;
  StatusOr<Response> perform(const Request& request, const ReadOptions& sinks);
  Status loadTlsContext();
  Status connect();
  void disconnect() { stream_.reset(); }
  bool peerClosed() const;
  Exchange exchange(const Request& request, const ReadOptions& sinks);
  beast::error_code readBody(http::response_parser<http::buffer_body>& parser,
                             const ReadOptions& sinks, Response& response);
  Status unreachable(const std::string& reason) const;
  std::string describe(const beast::error_code& error, std::chrono::milliseconds timeout) const;

  // Runs one asynchronous operation to completion on the private io_context. The asynchronous
  // form is what gives each operation a timeout (tcp_stream::expires_after).
  template <typename StartOperation>
  beast::error_code run(StartOperation start_operation) {
    beast::error_code result = asio::error::would_block;
    start_operation([&result](beast::error_code error, auto&&...) { result = error; });
    io_.restart();
    io_.run();
    return result;
  }

  Endpoint endpoint_;
  TlsFiles tls_files_;
  Timeouts timeouts_;
  ClientCertificate client_certificate_;
  asio::io_context io_;
  std::optional<ssl::context> tls_context_;  // loaded on first connect, shared by reconnects
  std::unique_ptr<TlsStream> stream_;        // null while not connected
  beast::flat_buffer buffer_;
};

StatusOr<Response> BeastHttpsConnection::send(std::string_view method, const std::string& target,
                                              const std::string& body, const Headers& headers,
                                              std::chrono::milliseconds answer_delay) {
  auto request = makeRequest(method, target, body, headers);
  if (!request.ok()) return request.status();
  return perform(*request, {nullptr, nullptr, answer_delay});
}

StatusOr<Response> BeastHttpsConnection::receive(
    std::string_view method, const std::string& target, const Headers& headers,
    const std::function<void(const Response&)>& on_header,
    const std::function<void(std::string_view)>& on_body) {
  auto request = makeRequest(method, target, "", headers);
  if (!request.ok()) return request.status();
  return perform(*request, {&on_header, &on_body, {}});
}

StatusOr<BeastHttpsConnection::Request> BeastHttpsConnection::makeRequest(
    std::string_view method, const std::string& target, const std::string& body,
    const Headers& headers) const {
  const http::verb verb = http::string_to_verb({method.data(), method.size()});
  if (verb == http::verb::unknown) {
    return Status(ErrorCode::invalid_argument, "unknown HTTP method '" + std::string(method) + "'");
  }
  Request request{verb, target, 11};
  request.set(http::field::host, endpoint_.toString());
  request.set(http::field::user_agent, "rivet-client/" RIVET_VERSION);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() && request.find(http::field::content_type) == request.end()) {
    request.set(http::field::content_type, "application/json");
  }
  request.body() = body;
  request.prepare_payload();
  return request;
}

StatusOr<Response> BeastHttpsConnection::perform(const Request& request, const ReadOptions& sinks) {
  // Replacing a connection the server closed while it was idle before writing to it is what
  // lets any request, POST included, survive the server's idle timeout.
  if (stream_ && peerClosed()) disconnect();
  const bool reused = stream_ != nullptr;
  if (!reused) {
    if (Status status = connect(); !status.ok()) return status;
  }
  Exchange attempt = exchange(request, sinks);
  // The server may still close between that check and the write. Trying again is safe when it
  // cannot have acted on the request (the write failed), or when acting twice does no harm: an
  // idempotent method, or a request whose Idempotency-Key lets the server recognise the repeat;
  // either way only while no byte of an answer came. A plain POST could have started an
  // execution and is not repeated.
  const bool repeatable =
      isIdempotent(request.method()) || request.find(kIdempotencyKeyHeader) != request.end();
  if (attempt.error && reused && !attempt.response_started && isConnectionClosed(attempt.error) &&
      (!attempt.request_written || repeatable)) {
    disconnect();
    if (Status status = connect(); !status.ok()) return status;
    attempt = exchange(request, sinks);
  }
  if (attempt.error) {
    disconnect();
    if (attempt.error == http::error::body_limit) {
      return Status(ErrorCode::internal, "response from " + endpoint_.toString() + " over " +
                                             std::to_string(kMaxResponseBodyBytes) + " bytes");
    }
    if (attempt.streaming) {
      return unreachable("the response ended early: " + describe(attempt.error, {}));
    }
    return unreachable(describe(attempt.error, timeouts_.request + sinks.answer_delay));
  }
  return std::move(attempt.response);
}

Status BeastHttpsConnection::loadTlsContext() {
  // Optional: an empty CA file means the system's CAs, and no certificate and key means none.
  const bool optional = client_certificate_ == ClientCertificate::optional;
  if (optional && tls_files_.cert_file.empty() != tls_files_.key_file.empty()) {
    return Status(ErrorCode::invalid_argument,
                  "give both a client certificate and its key, or neither");
  }
  const struct {
    const char* what;
    const std::string& path;
  } files[] = {{"CA file", tls_files_.ca_file},
               {"client certificate", tls_files_.cert_file},
               {"client key", tls_files_.key_file}};
  for (const auto& file : files) {
    if (optional && file.path.empty()) continue;
    if (const auto reason = unreadableFileReason(file.path)) {
      return Status(ErrorCode::invalid_argument, std::string("cannot read the ") + file.what +
                                                     " '" + file.path + "': " + *reason);
    }
  }

  ssl::context context(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.set_verify_mode(ssl::verify_peer);
  beast::error_code error;
  const auto failed = [&error](const std::string& what) {
    return Status(ErrorCode::invalid_argument, "cannot load " + what + ": " + error.message());
  };
  // In required mode every file was checked above, so none of these is empty there.
  if (tls_files_.ca_file.empty()) {
    if (context.set_default_verify_paths(error)) return failed("the system's CA certificates");
  } else if (context.load_verify_file(tls_files_.ca_file, error)) {
    return failed("the CA file '" + tls_files_.ca_file + "'");
  }
  if (!tls_files_.cert_file.empty()) {
    if (context.use_certificate_chain_file(tls_files_.cert_file, error)) {
      return failed("the client certificate '" + tls_files_.cert_file + "'");
    }
    if (context.use_private_key_file(tls_files_.key_file, ssl::context::pem, error)) {
      return failed("the client key '" + tls_files_.key_file + "'");
    }
  }
  tls_context_.emplace(std::move(context));
  return Status::success();
}

Status BeastHttpsConnection::connect() {
  if (!tls_context_) {
    if (Status status = loadTlsContext(); !status.ok()) return status;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeouts_.connect;

  // The resolver has no timeout of its own: run it for the connect timeout, then cancel.
  tcp::resolver resolver(io_);
  tcp::resolver::results_type addresses;
  beast::error_code error = asio::error::would_block;
  resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                         [&](beast::error_code resolve_error, tcp::resolver::results_type found) {
                           error = resolve_error;
                           addresses = std::move(found);
                         });
  io_.restart();
  io_.run_for(timeouts_.connect);
  if (error == asio::error::would_block) {
    resolver.cancel();
    io_.run();
    return unreachable("no address for the host within " + durationText(timeouts_.connect));
  }
  if (error) return unreachable(error.message());

  auto stream = std::make_unique<TlsStream>(io_, *tls_context_);
  SSL* tls = stream->native_handle();
  const std::string& host = endpoint_.host;
  // The server certificate must name the host we asked for: its IP SAN for an IP literal, else
  // its DNS SAN, which also goes out as SNI.
  const bool names_set = isIpAddress(host)
                             ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls), host.c_str()) == 1
                             : SSL_set_tlsext_host_name(tls, host.c_str()) == 1 &&
                                   SSL_set1_host(tls, host.c_str()) == 1;
  if (!names_set) {
    return Status(ErrorCode::internal, "cannot set the expected server name '" + host + "'");
  }

  beast::get_lowest_layer(*stream).expires_at(deadline);
  error = run(
      [&](auto handler) { beast::get_lowest_layer(*stream).async_connect(addresses, handler); });
  if (error) return unreachable(describe(error, timeouts_.connect));
  // Requests go out in pieces too: no Nagle delay waiting for the server's delayed ACK.
  beast::get_lowest_layer(*stream).socket().set_option(tcp::no_delay(true), error);
  error = run([&](auto handler) { stream->async_handshake(ssl::stream_base::client, handler); });
  if (error) {
    const long verify_result = SSL_get_verify_result(tls);
    if (verify_result != X509_V_OK) {
      return unreachable(std::string("certificate verify failed: ") +
                         X509_verify_cert_error_string(verify_result));
    }
    return unreachable(describe(error, timeouts_.connect));
  }
  beast::get_lowest_layer(*stream).expires_never();
  stream_ = std::move(stream);
  buffer_.clear();
  return Status::success();
}

bool BeastHttpsConnection::peerClosed() const {
  // Between two exchanges nothing is due from the server: anything readable is the end of the
  // stream, a close_notify or an error.
  pollfd descriptor{beast::get_lowest_layer(*stream_).socket().native_handle(), POLLIN, 0};
  return ::poll(&descriptor, 1, 0) != 0;
}

BeastHttpsConnection::Exchange BeastHttpsConnection::exchange(const Request& request,
                                                              const ReadOptions& sinks) {
  Exchange result;
  auto& transport = beast::get_lowest_layer(*stream_);
  transport.expires_after(timeouts_.request + sinks.answer_delay);
  result.error = run([&](auto handler) { http::async_write(*stream_, request, handler); });
  if (result.error) return result;
  result.request_written = true;

  http::response_parser<http::buffer_body> parser;
  parser.skip(request.method() == http::verb::head);  // the header only, whatever it announces
  result.error =
      run([&](auto handler) { http::async_read_header(*stream_, buffer_, parser, handler); });
  result.response_started = parser.got_some();
  if (result.error) return result;

  auto& message = parser.get();
  result.response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    result.response.headers.emplace_back(std::string(field.name_string()),
                                         std::string(field.value()));
  }
  // A streamed body lasts as long as what it reports: no limit on its size or its duration.
  result.streaming = sinks.on_body != nullptr && message.result_int() / 100 == 2;
  if (result.streaming) {
    parser.body_limit(boost::none);
    transport.expires_never();
    (*sinks.on_header)(result.response);
  } else {
    parser.body_limit(kMaxResponseBodyBytes);
  }
  result.error = readBody(parser, result.streaming ? sinks : ReadOptions{}, result.response);
  if (result.error) return result;
  transport.expires_never();
  if (!message.keep_alive()) disconnect();
  return result;
}

// Reads the rest of the body a response header announced: into response.body, or, with an
// on_body sink, handed over as each read brings some.
beast::error_code BeastHttpsConnection::readBody(http::response_parser<http::buffer_body>& parser,
                                                 const ReadOptions& sinks, Response& response) {
  std::array<char, 16 * 1024> piece{};
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    beast::error_code error =
        run([&](auto handler) { http::async_read_some(*stream_, buffer_, parser, handler); });
    // need_buffer only says `piece` is full.
    if (error == http::error::need_buffer) error = {};
    const std::size_t filled = piece.size() - parser.get().body().size;
    if (filled > 0) {
      if (sinks.on_body != nullptr) {
        (*sinks.on_body)(std::string_view(piece.data(), filled));
      } else {
        response.body.append(piece.data(), filled);
      }
    }
    if (error) return error;
  }
  return {};
}

Status BeastHttpsConnection::unreachable(const std::string& reason) const {
  return Status(ErrorCode::unavailable, "cannot reach " + endpoint_.toString() + ": " + reason);
}

std::string BeastHttpsConnection::describe(const beast::error_code& error,
                                           std::chrono::milliseconds timeout) const {
  if (error == beast::error::timeout) return "timed out after " + durationText(timeout);
  if (isConnectionClosed(error)) return "the server closed the connection";
  return error.message();
}

}  // namespace

std::unique_ptr<HttpsConnection> makeHttpsConnection(Endpoint endpoint, TlsFiles tls_files,
                                                     Timeouts timeouts,
                                                     ClientCertificate client_certificate) {
  return std::make_unique<BeastHttpsConnection>(std::move(endpoint), std::move(tls_files), timeouts,
                                                client_certificate);
}

}  // namespace rivet::client
