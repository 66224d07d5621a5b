#include "rivet/client/client.hpp"

#include <gtest/gtest.h>

namespace rivet::client {
namespace {

using rivet::sdk::ErrorCode;

TEST(IsTerminalStatus, OnlyTheStatusesAnExecutionEndsIn) {
  for (const char* status : {"requested", "scheduled", "running", "canceling"}) {
    EXPECT_FALSE(isTerminalStatus(status)) << status;
  }
  for (const char* status : {"succeeded", "failed", "timeout", "canceled", "abandoned"}) {
    EXPECT_TRUE(isTerminalStatus(status)) << status;
  }
}

TEST(Client, MissingTlsFilesAreAnInvalidArgument) {
  Client client({"127.0.0.1", 1},
                {"/nonexistent/ca.pem", "/nonexistent/client.pem", "/nonexistent/client.key"});
  const auto health = client.health();
  ASSERT_FALSE(health.ok());
  EXPECT_EQ(health.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(health.status().message().find("/nonexistent/ca.pem"), std::string::npos)
      << health.status().message();
}

}  // namespace
}  // namespace rivet::client
