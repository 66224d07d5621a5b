#include "transport_config.hpp"

#include <boost/asio/ip/address.hpp>
#include <limits>

#include "rivet/sdk/config_reader.hpp"

namespace rivet::plugins::transport_https {

using sdk::Status;
using sdk::StatusOr;

StatusOr<TransportConfig> parseTransportConfig(const std::map<std::string, std::string>& values) {
  const sdk::ConfigReader reader("transport-https", values, kConfigKeys);
  if (const Status known = reader.checkKnownKeys(); !known.ok()) return known;
  TransportConfig config;

  config.listen_address = reader.text("listen");
  if (config.listen_address.size() > 2 && config.listen_address.front() == '[' &&
      config.listen_address.back() == ']') {
    config.listen_address = config.listen_address.substr(1, config.listen_address.size() - 2);
  }
  boost::system::error_code address_error;
  boost::asio::ip::make_address(config.listen_address, address_error);
  if (address_error) {
    return reader.invalid("listen", "an IP address");
  }

  const auto port = reader.integer("port", 0, 65535);
  const auto dev_pki = reader.boolean("dev_pki");
  const auto threads = reader.integer("threads", 1, 256);
  const auto max_body = reader.bytes("max_body_bytes", 1, std::numeric_limits<std::int64_t>::max());
  const auto max_header =
      reader.bytes("max_header_bytes", 1024, std::numeric_limits<std::uint32_t>::max());
  const auto idle = reader.integer("idle_timeout_seconds", 1, 86400);
  const auto handshake = reader.integer("handshake_timeout_seconds", 1, 3600);
  const auto max_connections = reader.integer("max_connections", 1, 1000000);
  for (const Status* status :
       {&port.status(), &dev_pki.status(), &threads.status(), &max_body.status(),
        &max_header.status(), &idle.status(), &handshake.status(), &max_connections.status()}) {
    if (!status->ok()) return *status;
  }
  config.port = static_cast<std::uint16_t>(*port);
  config.ca_file = reader.text("ca_file");
  config.cert_file = reader.text("cert_file");
  config.key_file = reader.text("key_file");
  config.dev_pki = *dev_pki;
  config.threads = static_cast<int>(*threads);
  config.max_body_bytes = *max_body;
  config.max_header_bytes = static_cast<std::uint32_t>(*max_header);
  config.idle_timeout = std::chrono::seconds(*idle);
  config.handshake_timeout = std::chrono::seconds(*handshake);
  config.max_connections = static_cast<std::size_t>(*max_connections);
  return config;
}

}  // namespace rivet::plugins::transport_https
