// A small HTTPS server with mutual TLS for the client's tests: one connection at a time on a
// thread of its own, answering each request with a handler. It can drop every connection after
// one response, as a server whose idle timeout has passed does, to exercise reconnecting.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rivet/client/response.hpp"

namespace rivet::client::testing {

struct TestRequest {
  std::string method;
  std::string target;
  std::string body;
  std::string content_type;
};

// The server's side of the TLS setup: its certificate and the CA its clients must come from.
struct ServerTlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

class TestHttpsServer {
 public:
  using Handler = std::function<Response(const TestRequest&)>;

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
