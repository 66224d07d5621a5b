// Responses with a BodyStream (HttpResponse::stream): sent chunked as the stream yields, the
// stream released when the client leaves or the transport stops, and bytes passed on promptly.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "https_test_client.hpp"
#include "rivet/client/dev_pki.hpp"
#include "transport_test_support.hpp"

namespace rivet::plugins::transport_https::test {
namespace {

namespace http = boost::beast::http;
using Chunk = sdk::BodyStream::Chunk;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A BodyStream the test feeds: read() returns the next scripted chunk, or nothing when the
// script has run out (until the test pushes more).
class ScriptedBodyStream final : public sdk::BodyStream {
 public:
  explicit ScriptedBodyStream(std::deque<Chunk> script) : script_(std::move(script)) {}

  void push(Chunk chunk) {
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(chunk));
  }

  Chunk read() override {
    std::lock_guard lock(mutex_);
    if (script_.empty()) return {};
    Chunk next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

 private:
  std::mutex mutex_;
  std::deque<Chunk> script_;
};

// Answers GET /stream with a new ScriptedBodyStream of `script` (the test keeps only a
// weak_ptr to it, to see when the transport lets it go); everything else as EchoHandler does.
class StreamingHandler final : public sdk::RequestHandler {
 public:
  explicit StreamingHandler(std::deque<Chunk> script) : script_(std::move(script)) {}

  HttpResponse handle(const HttpRequest& request) noexcept override {
    if (request.target != "/stream") return echo_.handle(request);
    auto stream = std::make_shared<ScriptedBodyStream>(script_);
    {
      std::lock_guard lock(mutex_);
      last_stream_ = stream;
    }
    HttpResponse response;
    response.headers = {{"Content-Type", "application/octet-stream"}};
    response.body = "ignored";
    response.stream = std::move(stream);
    return response;
  }
  HttpResponse reject(int http_status, std::string_view code,
                      std::string_view message) noexcept override {
    return echo_.reject(http_status, code, message);
  }

  std::weak_ptr<ScriptedBodyStream> lastStream() {
    std::lock_guard lock(mutex_);
    return last_stream_;
  }

 private:
  const std::deque<Chunk> script_;
  EchoHandler echo_;
  std::mutex mutex_;
  std::weak_ptr<ScriptedBodyStream> last_stream_;
};

class TransportStreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(client::makeDevPki(data_dir_.child("pki")).ok());
    pki_ = client::devPkiFiles(data_dir_.child("pki"));
  }

  // A started transport answering with `script`, and a client connected to it.
  void start(std::deque<Chunk> script) {
    handler_ = std::make_unique<StreamingHandler>(std::move(script));
    transport_ = startTransport(*handler_, logger_, data_dir_.str(), {});
    ASSERT_TRUE(transport_);
    client_ = std::make_unique<HttpsTestClient>(portOf(transport_->endpoints().at(0)), pki_.ca_cert,
                                                pki_.client_cert, pki_.client_key);
    ASSERT_FALSE(client_->connect());
  }

  // Sends GET /stream and reads the response header and the body up to `expected`.
  void startStreaming(ResponseParser& parser, const std::string& expected) {
    ASSERT_FALSE(client_->writeRaw("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    ASSERT_FALSE(client_->readHeader(parser));
    EXPECT_EQ(parser.get().result_int(), 200u);
    EXPECT_TRUE(parser.chunked());
    ASSERT_FALSE(client_->readBodyUntil(
        parser, [&] { return parser.get().body() == expected; },
        steady_clock::now() + milliseconds(5000)));
  }

  TempDir data_dir_{"rivet-https-stream"};
  client::DevPkiFiles pki_;
  RecordingLogger logger_;
  std::unique_ptr<StreamingHandler> handler_;  // outlives transport_ (declared before it)
  std::shared_ptr<sdk::Transport> transport_;
  std::unique_ptr<HttpsTestClient> client_;
};

TEST_F(TransportStreamingTest, StreamIsSentChunkedAndTheConnectionIsReused) {
  start({{"a", false}, {"", false}, {"b", false}, {"", true}});
  Response response;
  ASSERT_FALSE(client_->exchange(makeRequest(http::verb::get, "/stream"), response));
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_TRUE(response.chunked());
  EXPECT_EQ(response.count(http::field::content_length), 0u);
  EXPECT_EQ(response[http::field::content_type], "application/octet-stream");
  EXPECT_EQ(response[http::field::server], "rivetd");
  EXPECT_TRUE(response.keep_alive());
  EXPECT_EQ(response.body(), "ab");
  EXPECT_TRUE(eventually([&] { return handler_->lastStream().expired(); }));

  // The same connection serves the next request.
  Response next;
  ASSERT_FALSE(client_->exchange(makeRequest(http::verb::get, "/v1/health"), next));
  EXPECT_EQ(next.result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(next.body())["target"], "/v1/health");
}

TEST_F(TransportStreamingTest, LastBytesMayComeWithTheEnd) {
  start({{"all at once", true}});
  Response response;
  ASSERT_FALSE(client_->exchange(makeRequest(http::verb::get, "/stream"), response));
  EXPECT_EQ(response.body(), "all at once");
}

TEST_F(TransportStreamingTest, StreamIsReleasedWhenTheClientDisconnects) {
  start({{"first", false}});  // then nothing, forever
  ResponseParser parser;
  startStreaming(parser, "first");
  const auto stream = handler_->lastStream();
  EXPECT_FALSE(stream.expired());
  client_.reset();  // closes the connection
  EXPECT_TRUE(eventually([&] { return stream.expired(); }));
}

TEST_F(TransportStreamingTest, StopEndsAStreamingResponse) {
  start({{"first", false}});
  ResponseParser parser;
  startStreaming(parser, "first");
  transport_->stop();
  EXPECT_TRUE(handler_->lastStream().expired());
  EXPECT_TRUE(client_->readUntilClosed());
}

TEST_F(TransportStreamingTest, BytesAreSentSoonAfterTheyBecomeAvailable) {
  start({{"first", false}});
  ResponseParser parser;
  startStreaming(parser, "first");
  const auto stream = handler_->lastStream().lock();
  ASSERT_TRUE(stream);
  for (const std::string piece : {"-second", "-third"}) {
    const std::string expected = parser.get().body() + piece;
    const auto available_at = steady_clock::now();
    stream->push({piece, false});
    ASSERT_FALSE(client_->readBodyUntil(
        parser, [&] { return parser.get().body() == expected; },
        available_at + milliseconds(5000)));
    EXPECT_LT(steady_clock::now() - available_at, milliseconds(100)) << piece;
  }
  stream->push({"", true});
  ASSERT_FALSE(client_->readBodyUntil(
      parser, [] { return false; }, steady_clock::now() + milliseconds(5000)));
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(parser.get().body(), "first-second-third");
}

TEST_F(TransportStreamingTest, HeadGetsTheHeaderOnly) {
  start({{"never sent", true}});
  ASSERT_FALSE(client_->writeRaw("HEAD /stream HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ResponseParser parser;
  parser.skip(true);  // a HEAD response: no body follows the header, whatever it announces
  ASSERT_FALSE(client_->readHeader(parser));
  EXPECT_EQ(parser.get().result_int(), 200u);
  EXPECT_TRUE(parser.chunked());
  EXPECT_TRUE(eventually([&] { return handler_->lastStream().expired(); }));
  Response next;
  ASSERT_FALSE(client_->exchange(makeRequest(http::verb::get, "/v1/health"), next));
  EXPECT_EQ(next.result_int(), 200u);
}

TEST_F(TransportStreamingTest, Http10ClientGetsTheBareBodyUntilTheConnectionCloses) {
  start({{"a", false}, {"b", true}});
  ASSERT_FALSE(client_->writeRaw("GET /stream HTTP/1.0\r\nHost: localhost\r\n\r\n"));
  Response response;
  const auto error = client_->readResponse(response);
  // The body ends with the connection; a server closing without close_notify is a truncation.
  EXPECT_TRUE(!error || error == boost::asio::ssl::error::stream_truncated) << error.message();
  EXPECT_EQ(response.body(), "ab");
  EXPECT_FALSE(response.chunked());
  EXPECT_FALSE(response.keep_alive());
}

}  // namespace
}  // namespace rivet::plugins::transport_https::test
