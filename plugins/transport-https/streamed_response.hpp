// Sending a response whose body is produced while it is sent (sdk::HttpResponse::stream):
// the header, then each piece the BodyStream yields as one HTTP/1.1 chunk, then the last chunk.
// The BodyStream is polled on the connection's strand and never blocks it: when it has nothing,
// the next read() waits for a timer, not for a thread.
#pragma once

// clang-format off: must stay first
#include <utility>  // before Asio: Boost 1.74 + GCC 12 need std::exchange declared first
// clang-format on

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "rivet/sdk/transport.hpp"

namespace rivet::plugins::transport_https {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
using StreamedResponseHeader = boost::beast::http::response<boost::beast::http::empty_body>;

// How long read() may have returned nothing before it is asked again. The SDK promises a
// following client at most 20 ms between a byte being available and its being sent.
inline constexpr std::chrono::milliseconds kBodyStreamPollInterval{10};

// Writes `header` and then, unless `send_body` is false (HEAD), the body `body` produces on
// `stream`; with header.chunked() each piece is framed as a chunk, otherwise (HTTP/1.0) the
// bytes go out bare and the caller must close the connection afterwards. Each write must finish
// within `write_timeout`. Calls `done` once: with success after the body's end was written, or
// with the error that stopped it (a write failed, or the client went away, detected within one
// poll interval even while the body is silent). The BodyStream is released before `done` runs,
// and also if the io_context is destroyed first (stop()). `stream` must outlive `done`: the
// caller keeps it alive through what `done` holds.
void sendStreamedResponse(TlsStream& stream, StreamedResponseHeader header,
                          std::shared_ptr<sdk::BodyStream> body, bool send_body,
                          std::chrono::seconds write_timeout,
                          std::function<void(boost::beast::error_code)> done);

}  // namespace rivet::plugins::transport_https
