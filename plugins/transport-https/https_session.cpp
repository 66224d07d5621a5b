// The per-connection half of the server core, in the style of Beast 1.74's advanced server
// example: every step is an async operation on the connection's strand, and the session lives
// as long as one of them holds its shared_ptr. The request handler is synchronous and is called
// right here, on the thread that completed the read; the other server threads keep accepting
// and serving other connections meanwhile. A response with a BodyStream is handed to
// streamed_response.hpp, which calls back here once its last chunk is written. A pending
// response leaves the session with pending_responses.hpp until the host gives the response.
#include "https_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "peer_identity.hpp"
#include "streamed_response.hpp"

namespace rivet::plugins::transport_https {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// How long a refused client gets to read our answer before the connection is dropped.
constexpr std::chrono::seconds kLingerTimeout{5};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Headers the transport writes itself from the response it frames.
bool isFramingHeader(const std::string& name) {
  return beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
         beast::iequals(name, "Connection");
}

// RFC 9110: these responses never have a body.
bool isBodiless(unsigned status) { return status < 200 || status == 204 || status == 304; }

enum class AfterResponse { read_next, close, drain_and_close };

// Status line and header fields of `message` from the handler's response, for a response with
// or without a body of its own.
template <typename Body>
void frameHeader(http::response<Body>& message, const sdk::HttpResponse& response, unsigned version,
                 bool keep_alive) {
  message.version(version);
  const bool valid_status = response.status >= 100 && response.status <= 599;
  message.result(valid_status ? static_cast<unsigned>(response.status) : 500u);
  for (const auto& [name, value] : response.headers) {
    if (!isFramingHeader(name)) message.insert(name, value);
  }
  message.set(http::field::server, "rivetd");
  message.keep_alive(keep_alive);
}

class HttpsSession : public std::enable_shared_from_this<HttpsSession> {
 public:
  HttpsSession(tcp::socket socket, ssl::context& tls, sdk::RequestHandler& handler,
               PendingResponses& pending_responses, const SessionLimits& limits,
               ConnectionSlot slot)
      : stream_(std::move(socket), tls),
        handler_(handler),
        pending_responses_(pending_responses),
        limits_(limits),
        slot_(std::move(slot)) {
    beast::error_code error;
    const tcp::endpoint remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(error);
    if (!error) remote_address_ = endpointText(remote);
  }

  void run() {
    // The socket was accepted on the acceptor's strand; continue on this connection's own.
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpsSession::handshake, shared_from_this()));
  }

 private:
  void handshake() {
    beast::get_lowest_layer(stream_).expires_after(limits_.handshake_timeout);
    stream_.async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&HttpsSession::onHandshake, shared_from_this()));
  }

  void onHandshake(beast::error_code error) {
    // No certificate, an untrusted one, a timeout or not TLS at all: nothing to answer.
    if (error) return;
    peer_ = peerIdentity(stream_.native_handle());
    readHeader();
  }

  void readHeader() {
    head_request_ = false;
    parser_.emplace();
    parser_->body_limit(limits_.max_body_bytes);
    parser_->header_limit(limits_.max_header_bytes);
    beast::get_lowest_layer(stream_).expires_after(limits_.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpsSession::onHeader, shared_from_this()));
  }

  void onHeader(beast::error_code error, std::size_t) {
    if (error) return onReadError(error);
    // The header is in and within the limits (a Content-Length over max_body_bytes already
    // failed it), so a client waiting for permission to send the body may go ahead.
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code write_error, std::size_t) {
                         if (!write_error) self->readBody();
                       });
      return;
    }
    readBody();
  }

  void readBody() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpsSession::onBody, shared_from_this()));
  }

  void onBody(beast::error_code error, std::size_t) {
    if (error) return onReadError(error);
    handle(parser_->release());
  }

  void onReadError(beast::error_code error) {
    if (error == http::error::end_of_stream) return shutdown();
    if (error == http::error::body_limit) {
      return send(handler_.reject(413, "body_too_large",
                                  "the request body is over max_body_bytes (" +
                                      std::to_string(limits_.max_body_bytes) + " bytes)"),
                  11, false, AfterResponse::drain_and_close);
    }
    if (error == http::error::header_limit) {
      return send(handler_.reject(400, "bad_request",
                                  "the request header is over max_header_bytes (" +
                                      std::to_string(limits_.max_header_bytes) + " bytes)"),
                  11, false, AfterResponse::drain_and_close);
    }
    // partial_message is a client gone mid-request; the rest of http::error is bad syntax.
    if (error.category() == http::make_error_code(http::error::bad_target).category() &&
        error != http::error::partial_message) {
      return send(
          handler_.reject(400, "bad_request", "unparsable HTTP request: " + error.message()), 11,
          false, AfterResponse::drain_and_close);
    }
    // Idle timeout, reset, truncation: the client is gone or stalled; drop the connection.
  }

  void handle(http::request<http::string_body> request) {
    sdk::HttpRequest incoming;
    incoming.method = std::string(request.method_string());
    incoming.target = std::string(request.target());
    for (const auto& field : request) {
      incoming.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    incoming.body = std::move(request.body());
    incoming.peer = peer_;
    incoming.remote_address = remote_address_;
    const bool keep_alive = request.keep_alive();
    head_request_ = request.method() == http::verb::head;
    sdk::HttpResponse response = handler_.handle(incoming);
    const unsigned version = request.version();
    if (response.pending) {
      // Nothing is read meanwhile: HTTP/1.1 answers in order, so the next request waits too.
      auto pending = std::move(response.pending);
      pending->start(pending_responses_.hold(
          stream_.get_executor(),
          [self = shared_from_this(), version, keep_alive](sdk::HttpResponse later) {
            if (later.pending) {
              later = self->handler_.reject(500, "internal", "a pending response gave another");
            }
            self->respond(std::move(later), version, keep_alive);
          }));
      return;
    }
    respond(std::move(response), version, keep_alive);
  }

  void respond(sdk::HttpResponse response, unsigned version, bool keep_alive) {
    if (response.stream && response.status >= 200 && !isBodiless(response.status)) {
      return sendStreamed(std::move(response), version, keep_alive);
    }
    send(std::move(response), version, keep_alive,
         keep_alive ? AfterResponse::read_next : AfterResponse::close);
  }

  // The body is whatever response.body holds; a BodyStream, if any, is released unread.
  void send(sdk::HttpResponse response, unsigned version, bool keep_alive, AfterResponse after) {
    response_ = {};
    frameHeader(response_, response, version, keep_alive);
    if (!isBodiless(response_.result_int())) response_.body() = std::move(response.body);
    response_.prepare_payload();
    // A HEAD response announces the length of the body it does not carry.
    if (head_request_) response_.body().clear();
    beast::get_lowest_layer(stream_).expires_after(limits_.idle_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&HttpsSession::onWrite, shared_from_this(), after));
  }

  // Chunked for HTTP/1.1. An HTTP/1.0 client knows no chunks: it gets the bare bytes, and the
  // closing of the connection ends the body.
  void sendStreamed(sdk::HttpResponse response, unsigned version, bool keep_alive) {
    const bool chunked = version >= 11;
    if (!chunked) keep_alive = false;
    StreamedResponseHeader header;
    frameHeader(header, response, version, keep_alive);
    header.chunked(chunked);
    const AfterResponse after = keep_alive ? AfterResponse::read_next : AfterResponse::close;
    sendStreamedResponse(stream_, std::move(header), std::move(response.stream), !head_request_,
                         limits_.idle_timeout,
                         [self = shared_from_this(), after](beast::error_code error) {
                           self->onWrite(after, error, 0);
                         });
  }

  void onWrite(AfterResponse after, beast::error_code error, std::size_t) {
    if (error) return;
    switch (after) {
      case AfterResponse::read_next:
        return readHeader();
      case AfterResponse::close:
        return shutdown();
      case AfterResponse::drain_and_close:
        return drainAndClose();
    }
  }

  void shutdown() {
    beast::get_lowest_layer(stream_).expires_after(limits_.handshake_timeout);
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

  // The client may still be sending the request we refused. Closing with its bytes unread
  // makes the kernel answer with a reset, which can destroy our response before the client
  // reads it; so stop sending, and discard what arrives until the client closes or time is up.
  void drainAndClose() {
    auto& connection = beast::get_lowest_layer(stream_);
    beast::error_code ignored;
    connection.socket().shutdown(tcp::socket::shutdown_send, ignored);
    connection.expires_after(kLingerTimeout);
    drain_buffer_.resize(16 * 1024);
    drain();
  }

  void drain() {
    beast::get_lowest_layer(stream_).async_read_some(
        net::buffer(drain_buffer_),
        [self = shared_from_this()](beast::error_code error, std::size_t) {
          if (!error) self->drain();
        });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  sdk::RequestHandler& handler_;
  PendingResponses& pending_responses_;
  const SessionLimits limits_;
  ConnectionSlot slot_;
  sdk::Requester peer_;  // read once, after the handshake
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;  // alive until its write completes
  bool head_request_ = false;
  std::vector<char> drain_buffer_;
};

}  // namespace

std::string endpointText(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  const std::string host = endpoint.address().is_v6() ? "[" + address + "]" : address;
  return host + ":" + std::to_string(endpoint.port());
}

void serveConnection(tcp::socket socket, ssl::context& tls, sdk::RequestHandler& handler,
                     PendingResponses& pending_responses, const SessionLimits& limits,
                     ConnectionSlot slot) {
  std::make_shared<HttpsSession>(std::move(socket), tls, handler, pending_responses, limits,
                                 std::move(slot))
      ->run();
}

}  // namespace rivet::plugins::transport_https
