// The server side of mutual TLS: which certificate files to use (creating a development PKI on
// first start when allowed) and the TLS context built from them.
#pragma once

// clang-format off: must stay first
#include <utility>  // before Asio: Boost 1.74 + GCC 12 need std::exchange declared first
// clang-format on

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"
#include "transport_config.hpp"

namespace rivet::plugins::transport_https {

struct ServerPkiFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

// The configured files (relative paths are under data_dir), or the defaults in <data_dir>/pki.
// When all three are defaulted, none exists and dev_pki is on, creates a development PKI there
// and logs a warning. Any other missing file is an error naming it.
sdk::StatusOr<ServerPkiFiles> resolveServerPki(const TransportConfig& config,
                                               const std::string& data_dir, sdk::Logger& logger);

// TLS 1.2 or later, the server certificate and key, and a client certificate required and
// verified against ca_file.
sdk::StatusOr<std::unique_ptr<boost::asio::ssl::context>> makeServerTlsContext(
    const ServerPkiFiles& files);

}  // namespace rivet::plugins::transport_https
