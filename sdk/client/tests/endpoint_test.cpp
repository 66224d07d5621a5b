#include "rivet/client/endpoint.hpp"

#include <gtest/gtest.h>

namespace rivet::client {
namespace {

using rivet::sdk::ErrorCode;

TEST(ParseEndpoint, HostAndPort) {
  const auto endpoint = parseEndpoint("rivet.example.com:8443");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().message();
  EXPECT_EQ(endpoint->host, "rivet.example.com");
  EXPECT_EQ(endpoint->port, 8443);
  EXPECT_EQ(endpoint->toString(), "rivet.example.com:8443");
}

TEST(ParseEndpoint, BracketedIpv6) {
  const auto endpoint = parseEndpoint("[::1]:7443");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().message();
  EXPECT_EQ(endpoint->host, "::1");
  EXPECT_EQ(endpoint->port, 7443);
  EXPECT_EQ(endpoint->toString(), "[::1]:7443");
}

TEST(ParseEndpoint, HttpsUrlWithTrailingSlash) {
  const auto endpoint = parseEndpoint("https://10.0.0.5:9000/");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().message();
  EXPECT_EQ(endpoint->host, "10.0.0.5");
  EXPECT_EQ(endpoint->port, 9000);
}

TEST(ParseEndpoint, PortDefaultsTo7443) {
  EXPECT_EQ(parseEndpoint("localhost")->port, kDefaultPort);
  EXPECT_EQ(parseEndpoint("https://[fe80::1]")->host, "fe80::1");
  EXPECT_EQ(parseEndpoint("https://[fe80::1]")->port, kDefaultPort);
}

TEST(ParseEndpoint, RejectsMalformedText) {
  for (const char* text :
       {"", ":7443", "host:", "host:0", "host:65536", "host:12ab", "::1", "::1:7443", "[::1",
        "[::1]7443", "http://host:7443", "host:7443/v1", "[]:7443"}) {
    const auto endpoint = parseEndpoint(text);
    EXPECT_FALSE(endpoint.ok()) << text;
    EXPECT_EQ(endpoint.status().code(), ErrorCode::invalid_argument) << text;
  }
}

TEST(ParseEndpoint, ExplainsIpv6Brackets) {
  EXPECT_NE(parseEndpoint("::1").status().message().find("[::1]:7443"), std::string::npos);
}

}  // namespace
}  // namespace rivet::client
