// transport-https as rivetd sees it: the built .so loaded with Boost.DLL, configured with real
// certificates, and spoken to over real mutual TLS on 127.0.0.1.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

#include "https_test_client.hpp"
#include "rivet/client/dev_pki.hpp"
#include "transport_test_support.hpp"

namespace rivet::plugins::transport_https::test {
namespace {

namespace http = boost::beast::http;
using sdk::ErrorCode;

class TransportHttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(client::makeDevPki(data_dir_.child("pki")).ok());
    pki_ = client::devPkiFiles(data_dir_.child("pki"));
  }

  sdk::Status configure(sdk::Transport& transport, std::map<std::string, std::string> config,
                        const std::string& data_dir) {
    config.emplace("port", "0");
    sdk::PluginContext context{data_dir, std::move(config), &logger_};
    return transport.configure(context);
  }

  // A configured and started transport on an ephemeral port, or a failed assertion.
  std::shared_ptr<sdk::Transport> startTransport(std::map<std::string, std::string> config = {}) {
    return test::startTransport(handler_, logger_, data_dir_.str(), std::move(config));
  }

  std::unique_ptr<HttpsTestClient> devClient(std::uint16_t port) {
    return std::make_unique<HttpsTestClient>(port, pki_.ca_cert, pki_.client_cert, pki_.client_key);
  }

  TempDir data_dir_{"rivet-https"};
  client::DevPkiFiles pki_;
  RecordingLogger logger_;
  EchoHandler handler_;
};

TEST_F(TransportHttpsTest, DescriptorDeclaresATransport) {
  const auto& descriptor = plugin().descriptor();
  rivet::test::expectDescriptor(descriptor, sdk::PluginKind::transport, "transport-https", "0.1.0");
  const auto defaults = rivet::test::configDefaults(descriptor);
  EXPECT_EQ(defaults.at("listen"), "127.0.0.1");
  EXPECT_EQ(defaults.at("port"), "7443");
  EXPECT_EQ(defaults.at("dev_pki"), "true");
  EXPECT_EQ(defaults.at("max_body_bytes"), "1048576");
  EXPECT_EQ(defaults.at("max_connections"), "1024");
}

TEST_F(TransportHttpsTest, EphemeralPortIsReportedInEndpoints) {
  auto transport = startTransport();
  ASSERT_TRUE(transport);
  const auto endpoints = transport->endpoints();
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_TRUE(std::regex_match(endpoints[0], std::regex(R"(https://127\.0\.0\.1:[1-9][0-9]*)")))
      << endpoints[0];
  auto client = devClient(portOf(endpoints[0]));
  EXPECT_FALSE(client->connect());
}

TEST_F(TransportHttpsTest, HandlerSeesRequestAndVerifiedPeer) {
  auto transport = startTransport();
  ASSERT_TRUE(transport);
  auto client = devClient(portOf(transport->endpoints().at(0)));
  ASSERT_FALSE(client->connect());
  Response response;
  ASSERT_FALSE(client->exchange(makeRequest(http::verb::post, "/v1/echo?x=1", "hello"), response));

  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response[http::field::server], "rivetd");
  EXPECT_EQ(response[http::field::content_length], std::to_string(response.body().size()));
  EXPECT_EQ(response[http::field::content_type], "application/json");
  const auto echo = nlohmann::json::parse(response.body());
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["target"], "/v1/echo?x=1");
  EXPECT_EQ(echo["body"], "hello");
  EXPECT_EQ(echo["user_agent"], "transport-https-test");
  EXPECT_EQ(echo["subject"], "CN=rivet-dev-client,O=Rivet dev");
  EXPECT_EQ(echo["sans"], nlohmann::json::array({"DNS:rivet-dev-client"}));
  EXPECT_TRUE(std::regex_match(echo["remote_address"].get<std::string>(),
                               std::regex(R"(127\.0\.0\.1:[0-9]+)")))
      << echo["remote_address"];
}

TEST_F(TransportHttpsTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto transport = startTransport();
  ASSERT_TRUE(transport);
  auto client = devClient(portOf(transport->endpoints().at(0)));
  ASSERT_FALSE(client->connect());
  std::string first_remote;
  for (int i = 0; i < 3; ++i) {
    Response response;
    ASSERT_FALSE(client->exchange(makeRequest(http::verb::get, "/v1/health?n=" + std::to_string(i)),
                                  response))
        << "request " << i;
    EXPECT_TRUE(response.keep_alive());
    const auto echo = nlohmann::json::parse(response.body());
    EXPECT_EQ(echo["target"], "/v1/health?n=" + std::to_string(i));
    if (i == 0) first_remote = echo["remote_address"];
    EXPECT_EQ(echo["remote_address"], first_remote);  // the same client port: one connection
  }
  EXPECT_EQ(handler_.calls(), 3);
}

TEST_F(TransportHttpsTest, ConnectionCloseIsHonoured) {
  auto transport = startTransport();
  ASSERT_TRUE(transport);
  auto client = devClient(portOf(transport->endpoints().at(0)));
  ASSERT_FALSE(client->connect());
  auto request = makeRequest(http::verb::get, "/v1/health");
  request.keep_alive(false);
  Response response;
  ASSERT_FALSE(client->exchange(std::move(request), response));
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(client->readUntilClosed());
}

TEST_F(TransportHttpsTest, ClientWithoutCertificateIsRefused) {
  auto transport = startTransport();
  ASSERT_TRUE(transport);
  HttpsTestClient client(portOf(transport->endpoints().at(0)), pki_.ca_cert, "", "");
  // TLS 1.2 fails the handshake; TLS 1.3 lets the client finish it and fails its first read.
  if (!client.connect()) {
    Response response;
    EXPECT_TRUE(client.exchange(makeRequest(http::verb::get, "/v1/health"), response));
  }
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(TransportHttpsTest, CertificateFromAnotherCaIsRefused) {
  auto transport = startTransport();
  ASSERT_TRUE(transport);
  TempDir other;
  ASSERT_TRUE(client::makeDevPki(other.child("pki")).ok());
  const auto foreign = client::devPkiFiles(other.child("pki"));
  HttpsTestClient client(portOf(transport->endpoints().at(0)), pki_.ca_cert, foreign.client_cert,
                         foreign.client_key);
  if (!client.connect()) {
    Response response;
    EXPECT_TRUE(client.exchange(makeRequest(http::verb::get, "/v1/health"), response));
  }
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(TransportHttpsTest, BodyOverTheLimitIsRejectedWith413) {
  auto transport = startTransport({{"max_body_bytes", "1024"}});
  ASSERT_TRUE(transport);
  auto client = devClient(portOf(transport->endpoints().at(0)));
  ASSERT_FALSE(client->connect());
  Response response;
  ASSERT_FALSE(client->exchange(
      makeRequest(http::verb::post, "/v1/executions", std::string(4096, 'x')), response));
  EXPECT_EQ(response.result_int(), 413u);
  EXPECT_FALSE(response.keep_alive());
  const auto error = nlohmann::json::parse(response.body());
  EXPECT_EQ(error["error"]["code"], "body_too_large");
  EXPECT_NE(error["error"]["message"].get<std::string>().find("1024"), std::string::npos);
  EXPECT_EQ(handler_.calls(), 0);
  EXPECT_TRUE(client->readUntilClosed());
}

// Far more than the socket buffers hold: the client is still writing when the 413 is sent, and
// must still get to read it.
TEST_F(TransportHttpsTest, LargeBodyOverTheLimitStillGetsItsAnswer) {
  auto transport = startTransport({{"max_body_bytes", "1024"}});
  ASSERT_TRUE(transport);
  auto client = devClient(portOf(transport->endpoints().at(0)));
  ASSERT_FALSE(client->connect());
  Response response;
  ASSERT_FALSE(client->exchange(
      makeRequest(http::verb::post, "/v1/executions", std::string(8 << 20, 'x')), response));
  EXPECT_EQ(response.result_int(), 413u);
}

TEST_F(TransportHttpsTest, BodyAtTheLimitIsAccepted) {
  auto transport = startTransport({{"max_body_bytes", "1K"}});
  ASSERT_TRUE(transport);
  auto client = devClient(portOf(transport->endpoints().at(0)));
  ASSERT_FALSE(client->connect());
  Response response;
  ASSERT_FALSE(client->exchange(
      makeRequest(http::verb::post, "/v1/executions", std::string(1024, 'x')), response));
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(response.body())["body"].get<std::string>().size(), 1024u);
}

TEST_F(TransportHttpsTest, ExpectContinueGetsAnInterimResponse) {
  auto transport = startTransport();
  ASSERT_TRUE(transport);
  auto client = devClient(portOf(transport->endpoints().at(0)));
  ASSERT_FALSE(client->connect());
  ASSERT_FALSE(
      client->writeRaw("POST /v1/executions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                       "Expect: 100-continue\r\n\r\n"));
  Response interim;
  ASSERT_FALSE(client->readResponse(interim));
  EXPECT_EQ(interim.result_int(), 100u);
  ASSERT_FALSE(client->writeRaw("hello"));
  Response response;
  ASSERT_FALSE(client->readResponse(response));
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(response.body())["body"], "hello");
}

TEST_F(TransportHttpsTest, UnparsableRequestIsRejectedWith400) {
  auto transport = startTransport();
  ASSERT_TRUE(transport);
  auto client = devClient(portOf(transport->endpoints().at(0)));
  ASSERT_FALSE(client->connect());
  ASSERT_FALSE(client->writeRaw("NOT HTTP AT ALL\r\n\r\n"));
  Response response;
  ASSERT_FALSE(client->readResponse(response));
  EXPECT_EQ(response.result_int(), 400u);
  EXPECT_EQ(nlohmann::json::parse(response.body())["error"]["code"], "bad_request");
  EXPECT_EQ(handler_.calls(), 0);
  EXPECT_TRUE(client->readUntilClosed());
}

TEST_F(TransportHttpsTest, HeaderOverTheLimitIsRejectedWith400) {
  auto transport = startTransport({{"max_header_bytes", "1024"}});
  ASSERT_TRUE(transport);
  auto client = devClient(portOf(transport->endpoints().at(0)));
  ASSERT_FALSE(client->connect());
  auto request = makeRequest(http::verb::get, "/v1/health");
  request.set("X-Padding", std::string(2048, 'p'));
  Response response;
  ASSERT_FALSE(client->exchange(std::move(request), response));
  EXPECT_EQ(response.result_int(), 400u);
  EXPECT_NE(response.body().find("max_header_bytes"), std::string::npos) << response.body();
}

TEST_F(TransportHttpsTest, IdleConnectionIsClosed) {
  auto transport = startTransport({{"idle_timeout_seconds", "1"}});
  ASSERT_TRUE(transport);
  auto client = devClient(portOf(transport->endpoints().at(0)));
  ASSERT_FALSE(client->connect());
  // Returns when the server drops the connection, about a second from now.
  EXPECT_TRUE(client->readUntilClosed());
}

TEST_F(TransportHttpsTest, ConnectionsOverTheLimitAreClosed) {
  auto transport = startTransport({{"max_connections", "1"}});
  ASSERT_TRUE(transport);
  const auto port = portOf(transport->endpoints().at(0));
  auto first = devClient(port);
  ASSERT_FALSE(first->connect());
  auto second = devClient(port);
  EXPECT_TRUE(second->connect());
  Response response;
  EXPECT_FALSE(first->exchange(makeRequest(http::verb::get, "/v1/health"), response));
  EXPECT_EQ(response.result_int(), 200u);
}

TEST_F(TransportHttpsTest, DevPkiIsCreatedOnFirstStartAndReused) {
  TempDir fresh;
  auto transport = newTransport();
  ASSERT_TRUE(transport);
  const auto configured = configure(*transport, {}, fresh.str());
  ASSERT_TRUE(configured.ok()) << configured.message();
  const auto generated = client::devPkiFiles(fresh.child("pki"));
  for (const auto& file : {generated.ca_cert, generated.server_cert, generated.server_key,
                           generated.client_cert, generated.client_key}) {
    EXPECT_TRUE(fs::exists(file)) << file;
  }
  EXPECT_EQ(logger_.count(sdk::LogLevel::warning, "development"), 1);
  const std::string ca = readFile(generated.ca_cert);

  auto again = newTransport();
  const auto reconfigured = configure(*again, {}, fresh.str());
  ASSERT_TRUE(reconfigured.ok()) << reconfigured.message();
  EXPECT_EQ(readFile(generated.ca_cert), ca);
  EXPECT_EQ(logger_.count(sdk::LogLevel::warning, "development"), 1);

  // The generated client certificate is accepted by the transport using that PKI.
  ASSERT_TRUE(again->start(handler_).ok());
  HttpsTestClient client(portOf(again->endpoints().at(0)), generated.ca_cert, generated.client_cert,
                         generated.client_key);
  ASSERT_FALSE(client.connect());
  Response response;
  ASSERT_FALSE(client.exchange(makeRequest(http::verb::get, "/v1/health"), response));
  EXPECT_EQ(response.result_int(), 200u);
}

TEST_F(TransportHttpsTest, NoDevPkiWhenItIsTurnedOff) {
  TempDir fresh;
  auto transport = newTransport();
  const auto status = configure(*transport, {{"dev_pki", "false"}}, fresh.str());
  EXPECT_EQ(status.code(), ErrorCode::not_found);
  EXPECT_NE(status.message().find("ca.pem"), std::string::npos) << status.message();
  EXPECT_FALSE(fs::exists(fresh.child("pki")));
}

TEST_F(TransportHttpsTest, PartlyMissingDefaultPkiIsAnError) {
  fs::remove(pki_.server_key);
  auto transport = newTransport();
  const auto status = configure(*transport, {}, data_dir_.str());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("key_file"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("server.key"), std::string::npos) << status.message();
  EXPECT_FALSE(fs::exists(pki_.server_key));
}

TEST_F(TransportHttpsTest, MissingConfiguredCertificateIsAnError) {
  const std::string missing = data_dir_.child("nowhere/server.pem");
  auto transport = newTransport();
  const auto status =
      configure(*transport,
                {{"ca_file", pki_.ca_cert}, {"cert_file", missing}, {"key_file", pki_.server_key}},
                data_dir_.str());
  EXPECT_EQ(status.code(), ErrorCode::not_found);
  EXPECT_NE(status.message().find("cert_file " + missing), std::string::npos) << status.message();
}

TEST_F(TransportHttpsTest, ExplicitFilesAreUsed) {
  TempDir other;
  ASSERT_TRUE(client::makeDevPki(other.child("pki")).ok());
  const auto files = client::devPkiFiles(other.child("pki"));
  auto transport = startTransport({{"ca_file", files.ca_cert},
                                   {"cert_file", files.server_cert},
                                   {"key_file", files.server_key}});
  ASSERT_TRUE(transport);
  HttpsTestClient client(portOf(transport->endpoints().at(0)), files.ca_cert, files.client_cert,
                         files.client_key);
  ASSERT_FALSE(client.connect());
  Response response;
  EXPECT_FALSE(client.exchange(makeRequest(http::verb::get, "/v1/health"), response));
}

TEST_F(TransportHttpsTest, KeyThatDoesNotMatchTheCertificateIsAnError) {
  auto transport = newTransport();
  const auto status = configure(
      *transport,
      {{"key_file", pki_.client_key}, {"cert_file", pki_.server_cert}, {"ca_file", pki_.ca_cert}},
      data_dir_.str());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("key_file"), std::string::npos) << status.message();
}

TEST_F(TransportHttpsTest, BadValuesNameTheirKey) {
  const std::map<std::string, std::string> bad_values[] = {{{"threads", "two"}},
                                                           {{"threads", "0"}},
                                                           {{"port", "70000"}},
                                                           {{"max_body_bytes", "1x"}},
                                                           {{"idle_timeout_seconds", "-1"}},
                                                           {{"dev_pki", "maybe"}},
                                                           {{"listen", "localhost:1"}},
                                                           {{"colour", "blue"}}};
  for (const auto& config : bad_values) {
    auto transport = newTransport();
    const auto status = configure(*transport, config, data_dir_.str());
    EXPECT_EQ(status.code(), ErrorCode::invalid_argument) << config.begin()->first;
    EXPECT_NE(status.message().find(config.begin()->first), std::string::npos) << status.message();
  }
}

TEST_F(TransportHttpsTest, PortInUseIsReported) {
  auto first = startTransport();
  ASSERT_TRUE(first);
  const std::string port = std::to_string(portOf(first->endpoints().at(0)));
  auto second = newTransport();
  ASSERT_TRUE(configure(*second, {{"port", port}}, data_dir_.str()).ok());
  const auto status = second->start(handler_);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("127.0.0.1:" + port), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("in use"), std::string::npos) << status.message();
  EXPECT_TRUE(second->endpoints().empty());
}

TEST_F(TransportHttpsTest, StopIsIdempotentAndFreesThePort) {
  auto transport = startTransport();
  ASSERT_TRUE(transport);
  const std::string port = std::to_string(portOf(transport->endpoints().at(0)));
  {
    auto client = devClient(portOf(transport->endpoints().at(0)));
    ASSERT_FALSE(client->connect());
    Response response;
    ASSERT_FALSE(client->exchange(makeRequest(http::verb::get, "/v1/health"), response));
    transport->stop();
    transport->stop();
    EXPECT_TRUE(transport->endpoints().empty());
    // The open connection was closed by stop().
    EXPECT_TRUE(client->readUntilClosed());
  }
  auto again = newTransport();
  ASSERT_TRUE(configure(*again, {{"port", port}}, data_dir_.str()).ok());
  const auto status = again->start(handler_);
  EXPECT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(again->endpoints(), std::vector<std::string>{"https://127.0.0.1:" + port});
}

}  // namespace
}  // namespace rivet::plugins::transport_https::test
