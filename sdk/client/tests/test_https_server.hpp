// A small HTTPS server with mutual TLS for the client's tests: one connection at a time on a
// thread of its own, answering each request with a handler. It can drop every connection after
// one response, as a server whose idle timeout has passed does, to exercise reconnecting; and a
// handler can have a body sent in chunks, or the connection dropped mid-way.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rivet/client/response.hpp"

namespace rivet::client::testing {

struct TestRequest {
  std::string method;
  std::string target;
  std::string body;
  std::string content_type;
  Headers headers;  // all of them, as received

  // The first header of that name (case-insensitive), or "" when there is none.
  std::string header(std::string_view name) const;
};

// A handler's answer. By default `response` as it is, framed with Content-Length.
struct TestResponse {
  // NOLINTNEXTLINE(google-explicit-constructor): handlers may simply return a Response.
  TestResponse(Response answer) : response(std::move(answer)) {}

  // Closes the connection after reading the request, without a byte of answer.
  static TestResponse dropped();

  Response response;
  // With chunks, the body is sent chunked, one chunk each, and response.body is ignored.
  std::vector<std::string> chunks;
  // Called before chunk `index` is written: lets a test hold a piece back until the client
  // has had the ones before it.
  std::function<void(std::size_t index)> before_chunk;
  // Closes the connection after the chunks, without the last chunk: a body cut short.
  bool drop_after_chunks = false;
  bool drop_without_answer = false;
};

// The server's side of the TLS setup: its certificate and the CA its clients must come from.
struct ServerTlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

class TestHttpsServer {
 public:
  using Handler = std::function<TestResponse(const TestRequest&)>;

  // Listens on 127.0.0.1 on a free port. With close_after_response, the server closes each
  // connection (without saying so in the response) right after answering its first request.
  TestHttpsServer(const ServerTlsFiles& tls_files, Handler handler, bool close_after_response);
  // Stops accepting; a connection a client still holds is served until that client closes it.
  ~TestHttpsServer();

  std::uint16_t port() const;
  int connectionsAccepted() const;
  int requestsServed() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rivet::client::testing
