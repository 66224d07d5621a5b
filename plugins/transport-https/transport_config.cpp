#include "transport_config.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>
#include <limits>
#include <string_view>

namespace rivet::plugins::transport_https {
namespace {

using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

Status keyError(std::string_view key, const std::string& problem) {
  return Status(ErrorCode::invalid_argument,
                "transport-https: " + std::string(key) + ": " + problem);
}

class ConfigReader {
 public:
  explicit ConfigReader(const std::map<std::string, std::string>& values) : values_(values) {}

  std::string text(std::string_view key) const {
    if (auto found = values_.find(std::string(key)); found != values_.end()) return found->second;
    for (const auto& spec : kConfigKeys) {
      if (spec.name == key) return spec.default_value;
    }
    return {};
  }

  StatusOr<std::uint64_t> integer(std::string_view key, std::uint64_t min,
                                  std::uint64_t max) const {
    return parseNumber(key, text(key), min, max, 1);
  }

  // An integer with an optional K, M or G suffix (powers of 1024).
  StatusOr<std::uint64_t> bytes(std::string_view key, std::uint64_t min, std::uint64_t max) const {
    std::string value = text(key);
    std::uint64_t unit = 1;
    if (!value.empty()) {
      switch (std::toupper(static_cast<unsigned char>(value.back()))) {
        case 'K':
          unit = 1ULL << 10;
          break;
        case 'M':
          unit = 1ULL << 20;
          break;
        case 'G':
          unit = 1ULL << 30;
          break;
        default:
          break;
      }
      if (unit != 1) value.pop_back();
    }
    return parseNumber(key, value, min, max, unit);
  }

  StatusOr<bool> boolean(std::string_view key) const {
    std::string value = text(key);
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (value == "true" || value == "yes" || value == "on" || value == "1") return true;
    if (value == "false" || value == "no" || value == "off" || value == "0") return false;
    return keyError(key, "expected true or false, got '" + text(key) + "'");
  }

 private:
  StatusOr<std::uint64_t> parseNumber(std::string_view key, const std::string& value,
                                      std::uint64_t min, std::uint64_t max,
                                      std::uint64_t unit) const {
    std::uint64_t number = 0;
    const char* end = value.data() + value.size();
    const auto [stop, error] = std::from_chars(value.data(), end, number);
    const bool parsed = !value.empty() && error == std::errc() && stop == end;
    if (!parsed || number > max / unit || number * unit < min) {
      return keyError(key, "expected an integer from " + std::to_string(min) + " to " +
                               std::to_string(max) + ", got '" + text(key) + "'");
    }
    return number * unit;
  }

  const std::map<std::string, std::string>& values_;
};

}  // namespace

StatusOr<TransportConfig> parseTransportConfig(const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    const bool known =
        std::any_of(kConfigKeys.begin(), kConfigKeys.end(),
                    [&key](const sdk::ConfigKeySpec& spec) { return spec.name == key; });
    if (!known) return keyError(key, "unknown key");
  }
  const ConfigReader reader(values);
  TransportConfig config;

  config.listen_address = reader.text("listen");
  if (config.listen_address.size() > 2 && config.listen_address.front() == '[' &&
      config.listen_address.back() == ']') {
    config.listen_address = config.listen_address.substr(1, config.listen_address.size() - 2);
  }
  boost::system::error_code address_error;
  boost::asio::ip::make_address(config.listen_address, address_error);
  if (address_error) {
    return keyError("listen", "expected an IP address, got '" + reader.text("listen") + "'");
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
