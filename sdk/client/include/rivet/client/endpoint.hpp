// Where a rivetd listens, as users write it on a command line or in an inventory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rivet/sdk/status.hpp"

namespace rivet::client {

inline constexpr std::uint16_t kDefaultPort = 7443;

struct Endpoint {
  std::string host;  // a DNS name or an IP literal, IPv6 without brackets
  std::uint16_t port = kDefaultPort;

  // "host:port", with brackets around an IPv6 host: the form parseEndpoint reads back.
  std::string toString() const;
};

// Reads "host:port", "[::1]:port" or "https://host:port" (a trailing "/" is allowed); the port
// may be left out and defaults to kDefaultPort. An IPv6 address needs its brackets, otherwise
// its last group could not be told from a port.
rivet::sdk::StatusOr<Endpoint> parseEndpoint(std::string_view text);

}  // namespace rivet::client
