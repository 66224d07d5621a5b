// The writer keeps itself alive through its pending operation (a write or the poll timer), like
// the session does; it holds the session only through `done`, so when the io_context is
// destroyed with a poll pending, dropping that one handler frees the writer, the BodyStream and
// the session in turn.
#include "streamed_response.hpp"

#include <poll.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <string>

namespace rivet::plugins::transport_https {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

class StreamedResponseWriter : public std::enable_shared_from_this<StreamedResponseWriter> {
 public:
  StreamedResponseWriter(TlsStream& stream, StreamedResponseHeader header,
                         std::shared_ptr<sdk::BodyStream> body, bool send_body,
                         std::chrono::seconds write_timeout,
                         std::function<void(beast::error_code)> done)
      : stream_(stream),
        header_(std::move(header)),
        serializer_(header_),
        body_(std::move(body)),
        send_body_(send_body),
        chunked_(header_.chunked()),
        write_timeout_(write_timeout),
        done_(std::move(done)),
        poll_timer_(stream.get_executor()) {}

  void start() {
    beast::get_lowest_layer(stream_).expires_after(write_timeout_);
    http::async_write_header(
        stream_, serializer_,
        beast::bind_front_handler(&StreamedResponseWriter::onHeaderWritten, shared_from_this()));
  }

 private:
  void onHeaderWritten(beast::error_code error, std::size_t) {
    if (error) return finish(error);
    if (!send_body_) return finish({});
    pump();
  }

  // One read() of the body, and what follows from it: a write, the end, or a pause.
  void pump() {
    if (clientGone()) return finish(net::error::connection_aborted);
    sdk::BodyStream::Chunk chunk = body_->read();
    ended_ = chunk.ended;
    if (!chunk.bytes.empty()) {
      pending_ = std::move(chunk.bytes);
      return writePending();
    }
    if (ended_) return writeEnd();
    poll_timer_.expires_after(kBodyStreamPollInterval);
    poll_timer_.async_wait(
        beast::bind_front_handler(&StreamedResponseWriter::onPollTimer, shared_from_this()));
  }

  void onPollTimer(beast::error_code error) {
    if (error) return finish(error);
    pump();
  }

  void writePending() {
    beast::get_lowest_layer(stream_).expires_after(write_timeout_);
    auto on_written =
        beast::bind_front_handler(&StreamedResponseWriter::onPendingWritten, shared_from_this());
    const net::const_buffer bytes(pending_.data(), pending_.size());
    if (chunked_) {
      net::async_write(stream_, http::make_chunk(bytes), std::move(on_written));
    } else {
      net::async_write(stream_, bytes, std::move(on_written));
    }
  }

  void onPendingWritten(beast::error_code error, std::size_t) {
    if (error) return finish(error);
    pending_.clear();
    if (ended_) return writeEnd();
    // More may be ready already: ask at once rather than after a pause.
    pump();
  }

  void writeEnd() {
    body_.reset();
    if (!chunked_) return finish({});
    beast::get_lowest_layer(stream_).expires_after(write_timeout_);
    net::async_write(
        stream_, http::make_chunk_last(),
        [self = shared_from_this()](beast::error_code error, std::size_t) { self->finish(error); });
  }

  // While the body is silent nothing reads the socket, so a client that closed its end would
  // go unnoticed until the next write: ask the kernel instead. Bytes waiting to be read are no
  // sign of departure (a pipelined request); a hang-up or an error is.
  bool clientGone() const {
    pollfd descriptor{beast::get_lowest_layer(stream_).socket().native_handle(), POLLRDHUP, 0};
    return ::poll(&descriptor, 1, 0) > 0 &&
           (descriptor.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
  }

  void finish(beast::error_code error) {
    body_.reset();
    std::exchange(done_, nullptr)(error);
  }

  TlsStream& stream_;
  StreamedResponseHeader header_;
  http::response_serializer<http::empty_body> serializer_;  // refers to header_
  std::shared_ptr<sdk::BodyStream> body_;                   // null once ended or abandoned
  const bool send_body_;
  const bool chunked_;
  const std::chrono::seconds write_timeout_;
  std::function<void(beast::error_code)> done_;
  net::steady_timer poll_timer_;
  std::string pending_;  // the bytes being written, alive until the write completes
  bool ended_ = false;   // the last read() said nothing follows
};

}  // namespace

void sendStreamedResponse(TlsStream& stream, StreamedResponseHeader header,
                          std::shared_ptr<sdk::BodyStream> body, bool send_body,
                          std::chrono::seconds write_timeout,
                          std::function<void(beast::error_code)> done) {
  std::make_shared<StreamedResponseWriter>(stream, std::move(header), std::move(body), send_body,
                                           write_timeout, std::move(done))
      ->start();
}

}  // namespace rivet::plugins::transport_https
