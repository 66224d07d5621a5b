// The transport's config keys (one table: parsing, validation, `rivetd --help-config`) and
// their parsed, validated form.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::plugins::transport_https {

inline constexpr std::array<sdk::ConfigKeySpec, 12> kConfigKeys{{
    {"listen", "string", "127.0.0.1", "IP address to listen on; 0.0.0.0 or :: for all"},
    {"port", "integer", "7443", "TCP port; 0 picks a free one"},
    {"ca_file", "path", "",
     "CA certificates (PEM) that client certificates must chain to; default "
     "<data_dir>/pki/ca.pem"},
    {"cert_file", "path", "", "server certificate chain (PEM); default <data_dir>/pki/server.pem"},
    {"key_file", "path", "", "server private key (PEM); default <data_dir>/pki/server.key"},
    {"dev_pki", "boolean", "true",
     "when none of the three default files exists, create a development PKI in <data_dir>/pki"},
    {"threads", "integer", "2", "threads serving connections and calling the request handler"},
    {"max_body_bytes", "bytes", "1048576", "larger request bodies are answered with 413"},
    {"max_header_bytes", "bytes", "16384", "larger request headers are answered with 400"},
    {"idle_timeout_seconds", "integer", "60",
     "closes a connection that waits this long for (the rest of) a request or a write"},
    {"handshake_timeout_seconds", "integer", "10", "limit on the TLS handshake"},
    {"max_connections", "integer", "1024", "connections beyond this are closed when accepted"},
}};

struct TransportConfig {
  std::string listen_address;  // an IP address, without brackets
  std::uint16_t port = 0;
  // As configured; "" means the default file in <data_dir>/pki.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool dev_pki = true;
  int threads = 0;
  std::uint64_t max_body_bytes = 0;
  std::uint32_t max_header_bytes = 0;
  std::chrono::seconds idle_timeout{0};
  std::chrono::seconds handshake_timeout{0};
  std::size_t max_connections = 0;
};

// Keys missing from `values` take their defaults from kConfigKeys; unknown keys are errors.
sdk::StatusOr<TransportConfig> parseTransportConfig(
    const std::map<std::string, std::string>& values);

}  // namespace rivet::plugins::transport_https
