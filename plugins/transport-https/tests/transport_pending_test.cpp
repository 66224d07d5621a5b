// Responses the host gives later (HttpResponse::pending): the connection waits without holding
// a server thread, the response goes out when the host gives it, and a response given after
// the transport stopped goes nowhere.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "https_test_client.hpp"
#include "rivet/client/dev_pki.hpp"
#include "transport_test_support.hpp"

namespace rivet::plugins::transport_https::test {
namespace {

namespace http = boost::beast::http;
using Respond = std::function<void(HttpResponse)>;

// Keeps the `respond` callback the transport hands to start(), for the test to call.
class CapturedPending final : public sdk::PendingResponse {
 public:
  explicit CapturedPending(std::function<void(Respond)> keep) : keep_(std::move(keep)) {}
  void start(Respond respond) override { keep_(std::move(respond)); }

 private:
  std::function<void(Respond)> keep_;
};

// Answers POST /wait with a pending response; everything else as EchoHandler does.
class PendingHandler final : public sdk::RequestHandler {
 public:
  HttpResponse handle(const HttpRequest& request) noexcept override {
    if (request.target != "/wait") return echo_.handle(request);
    HttpResponse response;
    response.pending = std::make_shared<CapturedPending>([this](Respond respond) {
      std::lock_guard lock(mutex_);
      respond_ = std::move(respond);
    });
    return response;
  }
  HttpResponse reject(int http_status, std::string_view code,
                      std::string_view message) noexcept override {
    return echo_.reject(http_status, code, message);
  }

  // The callback of the latest pending response, once the transport has started it.
  Respond respond() {
    std::lock_guard lock(mutex_);
    return respond_;
  }

 private:
  EchoHandler echo_;
  std::mutex mutex_;
  Respond respond_;
};

class TransportPendingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(client::makeDevPki(data_dir_.child("pki")).ok());
    pki_ = client::devPkiFiles(data_dir_.child("pki"));
    // One server thread: a pending response that held it would stall every other client.
    transport_ = startTransport(handler_, logger_, data_dir_.str(), {{"threads", "1"}});
    ASSERT_TRUE(transport_);
  }

  std::unique_ptr<HttpsTestClient> connectedClient() {
    auto client = std::make_unique<HttpsTestClient>(
        portOf(transport_->endpoints().at(0)), pki_.ca_cert, pki_.client_cert, pki_.client_key);
    EXPECT_FALSE(client->connect());
    return client;
  }

  // Sends POST /wait on `client` and returns the callback once the transport has started it.
  Respond startWaiting(HttpsTestClient& client) {
    EXPECT_FALSE(client.writeRaw("POST /wait HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"));
    Respond respond;
    EXPECT_TRUE(eventually([&] { return static_cast<bool>(respond = handler_.respond()); }));
    return respond;
  }

  TempDir data_dir_{"rivet-https-pending"};
  client::DevPkiFiles pki_;
  RecordingLogger logger_;
  PendingHandler handler_;  // outlives transport_ (declared before it)
  std::shared_ptr<sdk::Transport> transport_;
};

TEST_F(TransportPendingTest, ResponseGoesOutWhenGivenAndOthersAreServedMeanwhile) {
  auto waiting = connectedClient();
  const auto respond = startWaiting(*waiting);
  ASSERT_TRUE(respond);

  // The only server thread is free: another client is answered while the first one waits.
  auto other = connectedClient();
  Response health;
  ASSERT_FALSE(other->exchange(makeRequest(http::verb::get, "/v1/health"), health));
  EXPECT_EQ(health.result_int(), 200u);

  respond(jsonResponse(200, {{"ended", true}}));
  Response response;
  ASSERT_FALSE(waiting->readResponse(response));
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(response.body())["ended"], true);
  EXPECT_TRUE(response.keep_alive());

  // A second call is ignored, and the connection serves its next request.
  respond(jsonResponse(500, {{"ended", false}}));
  Response next;
  ASSERT_FALSE(waiting->exchange(makeRequest(http::verb::get, "/v1/health"), next));
  EXPECT_EQ(next.result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(next.body())["target"], "/v1/health");
}

TEST_F(TransportPendingTest, ResponseGivenAfterStopGoesNowhere) {
  auto waiting = connectedClient();
  const auto respond = startWaiting(*waiting);
  ASSERT_TRUE(respond);
  transport_->stop();
  EXPECT_TRUE(waiting->readUntilClosed());  // the connection was closed, not answered
  respond(jsonResponse(200, {{"ended", true}}));  // must neither crash nor send
}

}  // namespace
}  // namespace rivet::plugins::transport_https::test
