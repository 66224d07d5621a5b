#include "rivet/client/endpoint.hpp"

#include <charconv>

namespace rivet::client {
namespace {

using rivet::sdk::ErrorCode;
using rivet::sdk::Status;

Status invalidEndpoint(std::string_view text, std::string_view why) {
  return Status(ErrorCode::invalid_argument,
                "invalid host '" + std::string(text) + "': " + std::string(why));
}

}  // namespace

std::string Endpoint::toString() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

rivet::sdk::StatusOr<Endpoint> parseEndpoint(std::string_view text) {
  std::string_view rest = text;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.find("://") != std::string_view::npos) {
    return invalidEndpoint(text, "rivetd speaks only https://");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) {
    return invalidEndpoint(text, "expected host:port, without a path");
  }

  Endpoint endpoint;
  std::string_view port_text;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return invalidEndpoint(text, "no closing ']'");
    endpoint.host = std::string(rest.substr(1, close - 1));
    const auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) return invalidEndpoint(text, "expected ':' after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return invalidEndpoint(text, "empty port");
    }
  } else {
    const auto colon = rest.find(':');
    if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos) {
      return invalidEndpoint(text, "write an IPv6 address in brackets, e.g. [::1]:7443");
    }
    endpoint.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return invalidEndpoint(text, "empty port");
    }
  }
  if (endpoint.host.empty()) return invalidEndpoint(text, "empty host name");

  if (!port_text.empty()) {
    unsigned port = 0;
    const auto* end = port_text.data() + port_text.size();
    const auto [parsed_end, error] = std::from_chars(port_text.data(), end, port);
    if (error != std::errc() || parsed_end != end || port == 0 || port > 65535) {
      return invalidEndpoint(text, "the port must be a number from 1 to 65535");
    }
    endpoint.port = static_cast<std::uint16_t>(port);
  }
  return endpoint;
}

}  // namespace rivet::client
