// The Client against a real TLS peer (TestHttpsServer with a dev PKI): requests, keep-alive,
// reconnecting after the server closed, certificate checks and unreachable hosts.
#include <gtest/gtest.h>

#include <filesystem>

#include "client_tls_fixture.hpp"
#include "rivet/client/client.hpp"
#include "rivet/client/dev_pki.hpp"
#include "test_https_server.hpp"

namespace rivet::client {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using rivet::sdk::ErrorCode;
using testing::TestHttpsServer;
using testing::TestRequest;

using ClientConnectionTest = testing::ClientTlsTest;

TEST_F(ClientConnectionTest, KeepsOneConnectionForManyRequests) {
  TestHttpsServer server(serverFiles(), jsonAnswer(200, R"({"status": "ok"})"), false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  for (int i = 0; i < 3; ++i) {
    const auto health = client.health();
    ASSERT_TRUE(health.ok()) << health.status().message();
    EXPECT_EQ((*health)["status"], "ok");
  }
  EXPECT_EQ(server.connectionsAccepted(), 1);
}

TEST_F(ClientConnectionTest, ReconnectsWhenTheServerClosedTheConnection) {
  TestHttpsServer server(serverFiles(), jsonAnswer(202, R"({"id": "e1"})"), true);
  Client client({"localhost", server.port()}, clientFiles());
  for (int i = 0; i < 3; ++i) {
    // A POST too: the closed connection is noticed before the request is written.
    const auto started = client.run("linux.uptime", json::object());
    ASSERT_TRUE(started.ok()) << started.status().message();
    // Let the server's close reach the client before the next request.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(server.connectionsAccepted(), 3);
  EXPECT_EQ(server.requestsServed(), 3);
}

TEST_F(ClientConnectionTest, RepeatsAGetThatMetAClosingConnection) {
  TestHttpsServer server(serverFiles(), jsonAnswer(200, R"({"status": "ok"})"), true);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  // Back to back, the server's close may arrive only after the next request was written.
  for (int i = 0; i < 5; ++i) {
    const auto health = client.health();
    ASSERT_TRUE(health.ok()) << health.status().message();
  }
  EXPECT_EQ(server.requestsServed(), 5);
}

TEST_F(ClientConnectionTest, SendsJsonBodiesAndEncodedQueries) {
  TestRequest seen;
  TestHttpsServer server(
      serverFiles(),
      [&seen](const TestRequest& request) {
        seen = request;
        return Response{200, {}, R"({"items": [], "next_before": null})"};
      },
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());

  ASSERT_TRUE(client.list({"linux.disk_usage", "", 20, "a b"}).ok());
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/v1/executions?action=linux.disk_usage&limit=20&before=a%20b");

  ASSERT_TRUE(client.request("POST", "/v1/executions", R"({"action": "x.y"})").ok());
  EXPECT_EQ(seen.content_type, "application/json");
  EXPECT_EQ(seen.body, R"({"action": "x.y"})");
}

TEST_F(ClientConnectionTest, TurnsErrorBodiesIntoApiErrors) {
  TestHttpsServer server(
      serverFiles(),
      jsonAnswer(422, R"({"error": {"code": "invalid_parameters", "message": "bad depth",
                          "details": [{"parameter": "depth", "message": "expected integer"}]}})"),
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  const auto started = client.run("linux.disk_usage", {{"depth", "x"}});
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), ErrorCode::unprocessable);
  EXPECT_EQ(started.status().message(), "invalid_parameters: bad depth");
  ASSERT_TRUE(started.apiError().has_value());
  EXPECT_EQ(started.apiError()->http_status, 422);
  EXPECT_EQ(started.apiError()->details[0]["parameter"], "depth");
}

TEST_F(ClientConnectionTest, ReadsOutputChunkHeaders) {
  TestHttpsServer server(
      serverFiles(),
      [](const TestRequest&) {
        return Response{200,
                        {{"Content-Type", "application/octet-stream"},
                         {"Rivet-Output-Offset", "5"},
                         {"Rivet-Next-Offset", "9"},
                         {"Rivet-Execution-Status", "succeeded"},
                         {"Rivet-Output-Complete", "true"}},
                        "done"};
      },
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  const auto chunk = client.output("e1", "stdout", 5);
  ASSERT_TRUE(chunk.ok()) << chunk.status().message();
  EXPECT_EQ(chunk->bytes, "done");
  EXPECT_EQ(chunk->offset, 5u);
  EXPECT_EQ(chunk->next_offset, 9u);
  EXPECT_EQ(chunk->status, "succeeded");
  EXPECT_TRUE(chunk->complete);
}

TEST_F(ClientConnectionTest, WaitForEndStopsAtATerminalStatus) {
  int polls = 0;
  TestHttpsServer server(
      serverFiles(),
      [&polls](const TestRequest&) {
        const char* status = ++polls < 3 ? "running" : "succeeded";
        return Response{200, {}, json{{"id", "e1"}, {"status", status}}.dump()};
      },
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  const auto ended =
      client.waitForEnd("e1", std::chrono::steady_clock::now() + std::chrono::seconds(10),
                        std::chrono::milliseconds(1));
  ASSERT_TRUE(ended.ok()) << ended.status().message();
  EXPECT_EQ((*ended)["status"], "succeeded");
  EXPECT_EQ(polls, 3);
}

TEST_F(ClientConnectionTest, RejectsAServerCertificateFromAnotherCa) {
  TestHttpsServer server(serverFiles(), jsonAnswer(200, "{}"), false);
  const auto other = devPkiFiles((pki_dir_ / "other").string());
  Client client({"127.0.0.1", server.port()}, {other.ca_cert, other.client_cert, other.client_key});
  const auto health = client.health();
  ASSERT_FALSE(health.ok());
  EXPECT_EQ(health.status().code(), ErrorCode::unavailable);
  EXPECT_NE(health.status().message().find("certificate verify failed"), std::string::npos)
      << health.status().message();
}

TEST_F(ClientConnectionTest, RejectsAServerCertificateForAnotherName) {
  // A server certificate from a trusted CA, but for elsewhere.invalid only.
  const auto other = devPkiFiles((pki_dir_ / "other").string());
  TestHttpsServer server({other.ca_cert, other.server_cert, other.server_key},
                         jsonAnswer(200, "{}"), false);
  Client client({"127.0.0.1", server.port()}, {other.ca_cert, other.client_cert, other.client_key});
  const auto health = client.health();
  ASSERT_FALSE(health.ok());
  EXPECT_EQ(health.status().code(), ErrorCode::unavailable);
  EXPECT_NE(health.status().message().find("IP address mismatch"), std::string::npos)
      << health.status().message();
}

TEST_F(ClientConnectionTest, AnUnusedPortIsUnavailable) {
  std::uint16_t port = 0;
  {
    // A port that was just free: the server is gone once this block ends.
    TestHttpsServer server(serverFiles(), jsonAnswer(200, "{}"), false);
    port = server.port();
  }
  Client client({"127.0.0.1", port}, clientFiles());
  const auto health = client.health();
  ASSERT_FALSE(health.ok());
  EXPECT_EQ(health.status().code(), ErrorCode::unavailable);
  EXPECT_EQ(health.status().message(),
            "cannot reach 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

}  // namespace
}  // namespace rivet::client
