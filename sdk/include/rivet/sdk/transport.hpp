// How requests reach the host. The embedded transport is HTTPS with mutual TLS
// (plugins/transport-https). The REST API itself (routes, JSON, error shapes) lives in the
// host behind RequestHandler, so another transport reuses it unchanged.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"
#include "rivet/sdk/types.hpp"

namespace rivet::sdk {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;                     // "GET", "POST", ...
  std::string target;                     // path and query, as received: "/v1/x?y=1"
  HeaderList headers;
  std::string body;
  Requester peer;                         // from the verified client certificate
  std::string remote_address;             // "127.0.0.1:50412"

  // First header with this name, compared case-insensitively; "" if absent.
  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() == name.size() &&
          std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
            return (a | 0x20) == (b | 0x20);
          })) {
        return value;
      }
    }
    return {};
  }
};

// A response body produced while it is being sent, with chunked transfer encoding: following
// an execution's output until it ends. The transport calls read() repeatedly, from its own
// threads but never concurrently for one stream, until a chunk says `ended` or the client
// goes away (then the stream is simply released). read() must not block: it returns what is
// available now, possibly nothing, and the transport asks again after a short pause (at most
// 20 ms, so a following client sees a line within that of its being written).
class BOOST_SYMBOL_VISIBLE BodyStream {
 public:
  struct Chunk {
    std::string bytes;
    bool ended = false;                   // nothing will follow `bytes`
  };
  virtual ~BodyStream() = default;
  virtual Chunk read() = 0;
};

struct HttpResponse;

// A response the host gives later, without holding a transport thread meanwhile: a POST that
// waits for its execution to end. The transport calls start() once, right after handle()
// returned, and keeps the connection open; the host calls `respond` exactly once, from any
// thread, within the wait the request asked for. `respond` is safe to call after the
// transport has stopped (it then does nothing) and must not be given a response that is
// itself pending.
class BOOST_SYMBOL_VISIBLE PendingResponse {
 public:
  virtual ~PendingResponse() = default;
  virtual void start(std::function<void(HttpResponse)> respond) = 0;
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;                     // Content-Type included; Content-Length is added
  std::string body;
  // When set, `body` is ignored and the body is sent chunked as `stream` produces it.
  std::shared_ptr<BodyStream> stream;
  // When set, everything else is ignored: the response is the one `pending` gives later.
  std::shared_ptr<PendingResponse> pending;
};

// Implemented by the host. Safe to call from several transport threads at once.
class BOOST_SYMBOL_VISIBLE RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual HttpResponse handle(const HttpRequest& request) noexcept = 0;
  // The API's error response for a request the transport refuses before routing it (body
  // too large: 413 "body_too_large"; unparsable HTTP: 400 "bad_request"), so every error
  // has the same JSON shape whichever layer found it.
  virtual HttpResponse reject(int http_status, std::string_view code,
                              std::string_view message) noexcept = 0;
};

class BOOST_SYMBOL_VISIBLE Transport : public Plugin {
 public:
  // Binds and starts serving on the transport's own threads; returns once it is listening.
  // `handler` outlives the transport's serving (until stop() returns).
  virtual Status start(RequestHandler& handler) = 0;

  // The addresses actually bound, e.g. "https://127.0.0.1:43117" (port 0 resolved).
  virtual std::vector<std::string> endpoints() const = 0;

  // Stops accepting, closes connections and joins its threads. Idempotent.
  virtual void stop() noexcept = 0;
};

}  // namespace rivet::sdk
