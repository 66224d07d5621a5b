// The transport under Client: one keep-alive HTTPS connection with mutual TLS to one host.
// An interface so that client.cpp, and whoever includes it, does not compile Beast and Asio.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "rivet/client/client.hpp"
#include "rivet/client/endpoint.hpp"
#include "rivet/client/response.hpp"
#include "rivet/client/tls_files.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::client {

class HttpsConnection {
 public:
  virtual ~HttpsConnection() = default;

  virtual const Endpoint& endpoint() const = 0;

  // Sends one request and reads its response, connecting first if needed. Adds Host,
  // User-Agent, Content-Length, and Content-Type: application/json for a body without one.
  // A request carrying an Idempotency-Key is repeated, like GET, when the connection closes
  // before any byte of the answer: the server recognises the key and does the work once.
  // `answer_delay` is how long the server may hold the answer because the request asked it to
  // (a POST with `wait`): it is added to the request timeout.
  virtual rivet::sdk::StatusOr<Response> send(std::string_view method, const std::string& target,
                                              const std::string& body, const Headers& headers,
                                              std::chrono::milliseconds answer_delay) = 0;

  // Sends a request without a body and, for a 2xx response, hands its body to `on_body` piece
  // by piece as it arrives (after `on_header` had the status and headers): for bodies that last
  // as long as what they report. The request timeout covers the request and the response
  // header; the body may then take any time. A response of another status comes back with its
  // body whole, as from send(). Fails with unavailable when no response could be had or the
  // connection ended before the body did; `on_body` has seen every byte that arrived.
  virtual rivet::sdk::StatusOr<Response> receive(
      std::string_view method, const std::string& target, const Headers& headers,
      const std::function<void(const Response&)>& on_header,
      const std::function<void(std::string_view)>& on_body) = 0;
};

// Whether this side must present a client certificate. rivetd always asks for one; other servers
// (a pack store read over HTTPS) may be used without one, and then an empty `ca_file` means the
// system's CAs.
enum class ClientCertificate { required, optional };

std::unique_ptr<HttpsConnection> makeHttpsConnection(
    Endpoint endpoint, TlsFiles tls_files, Timeouts timeouts,
    ClientCertificate client_certificate = ClientCertificate::required);

}  // namespace rivet::client
