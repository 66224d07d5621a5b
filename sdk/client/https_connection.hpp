// The transport under Client: one keep-alive HTTPS connection with mutual TLS to one host.
// An interface so that client.cpp, and whoever includes it, does not compile Beast and Asio.
#pragma once

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
  virtual rivet::sdk::StatusOr<Response> send(std::string_view method, const std::string& target,
                                              const std::string& body, const Headers& headers) = 0;
};

std::unique_ptr<HttpsConnection> makeHttpsConnection(Endpoint endpoint, TlsFiles tls_files,
                                                     Timeouts timeouts);

}  // namespace rivet::client
