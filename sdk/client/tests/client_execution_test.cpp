// Client::run with idempotency keys and timeouts, cancel, and follow over chunked responses,
// against TestHttpsServer: what is sent, what is accepted, and how a dropped follow resumes.
#include <gtest/gtest.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "client_tls_fixture.hpp"
#include "rivet/client/client.hpp"
#include "test_https_server.hpp"

namespace rivet::client {
namespace {

using nlohmann::json;
using rivet::sdk::ErrorCode;
using testing::TestHttpsServer;
using testing::TestRequest;
using testing::TestResponse;

using ClientExecutionTest = testing::ClientTlsTest;

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

// The `offset` query value of an output request's target.
std::uint64_t offsetOf(const std::string& target) {
  const auto at = target.find("offset=");
  std::uint64_t offset = 0;
  if (at != std::string::npos) {
    std::from_chars(target.data() + at + 7, target.data() + target.size(), offset);
  }
  return offset;
}

// What follow() handed to on_bytes, for a test and a server thread to look at together.
class ReceivedPieces {
 public:
  void add(std::string_view bytes) {
    std::lock_guard lock(mutex_);
    pieces_.emplace_back(bytes);
    changed_.notify_all();
  }
  // Waits (up to 5 s) until `count` pieces came.
  void waitFor(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(5), [&] { return pieces_.size() >= count; });
  }
  std::vector<std::string> pieces() {
    std::lock_guard lock(mutex_);
    return pieces_;
  }
  std::string joined() {
    std::string all;
    for (const auto& piece : pieces()) all += piece;
    return all;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> pieces_;
};

TEST_F(ClientExecutionTest, RunSendsARandomIdempotencyKeyAndTheTimeout) {
  std::vector<TestRequest> seen;
  TestHttpsServer server(
      serverFiles(),
      [&seen](const TestRequest& request) {
        seen.push_back(request);
        return Response{202, {}, R"({"id": "e1", "status": "requested"})"};
      },
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  ASSERT_TRUE(client.run("linux.uptime", json::object()).ok());
  ASSERT_TRUE(client.run("linux.uptime", json::object(), {"", 30, std::nullopt, ""}).ok());

  ASSERT_EQ(seen.size(), 2u);
  const std::string first_key = seen[0].header("Idempotency-Key");
  EXPECT_TRUE(std::regex_match(first_key, kUuid)) << first_key;
  EXPECT_TRUE(std::regex_match(seen[1].header("Idempotency-Key"), kUuid));
  EXPECT_NE(seen[1].header("Idempotency-Key"), first_key);  // one key per run()
  EXPECT_FALSE(json::parse(seen[0].body).contains("timeout"));
  EXPECT_EQ(json::parse(seen[1].body),
            json({{"action", "linux.uptime"}, {"parameters", json::object()}, {"timeout", 30}}));
}

TEST_F(ClientExecutionTest, RunSendsTheCallersKey) {
  std::string key;
  TestHttpsServer server(
      serverFiles(),
      [&key](const TestRequest& request) {
        key = request.header("Idempotency-Key");
        return Response{202, {}, R"({"id": "e1"})"};
      },
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  ASSERT_TRUE(client.run("linux.uptime", json::object(), {"deploy-42", std::nullopt, std::nullopt, ""}).ok());
  EXPECT_EQ(key, "deploy-42");
}

TEST_F(ClientExecutionTest, RunRepeatsAPostLostWithItsConnectionUnderTheSameKey) {
  std::vector<TestRequest> posts;
  TestHttpsServer server(
      serverFiles(),
      [&posts](const TestRequest& request) -> TestResponse {
        if (request.method != "POST") return Response{200, {}, R"({"status": "ok"})"};
        posts.push_back(request);
        // The first POST is read, then its connection dies before any answer.
        if (posts.size() == 1) return TestResponse::dropped();
        return Response{202, {}, R"({"id": "e1", "status": "requested"})"};
      },
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  ASSERT_TRUE(client.health().ok());  // a kept-alive connection for the POST to reuse
  const auto started = client.run("linux.uptime", json::object());
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_EQ((*started)["id"], "e1");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_TRUE(std::regex_match(posts[0].header("Idempotency-Key"), kUuid));
  EXPECT_EQ(posts[1].header("Idempotency-Key"), posts[0].header("Idempotency-Key"));
  EXPECT_EQ(posts[1].body, posts[0].body);
  EXPECT_EQ(server.connectionsAccepted(), 2);
}

TEST_F(ClientExecutionTest, RunWithWaitAsksForItAndAllowsTheServerThatLongToAnswer) {
  std::vector<TestRequest> posts;
  TestHttpsServer server(
      serverFiles(),
      [&posts](const TestRequest& request) {
        posts.push_back(request);
        // Held beyond the client's request timeout, as a waiting rivetd holds its answer.
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        return Response{200, {}, R"({"id": "e1", "status": "succeeded"})"};
      },
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles(),
                Timeouts{std::chrono::milliseconds(5000), std::chrono::milliseconds(200)});
  const auto waited = client.run("linux.uptime", json::object(), {"", std::nullopt, 2, ""});
  ASSERT_TRUE(waited.ok()) << waited.status().message();
  EXPECT_EQ((*waited)["status"], "succeeded");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(json::parse(posts[0].body)["wait"], 2);

  // Without it, the same answer is too late.
  const auto impatient = client.run("linux.uptime", json::object());
  ASSERT_FALSE(impatient.ok());
  EXPECT_EQ(impatient.status().code(), rivet::sdk::ErrorCode::unavailable);
}

TEST_F(ClientExecutionTest, RunAcceptsAReplayedExecution) {
  TestHttpsServer server(serverFiles(), jsonAnswer(200, R"({"id": "e1", "status": "succeeded"})"),
                         false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  const auto replayed = client.run("linux.uptime", json::object(), {"deploy-42", std::nullopt, std::nullopt, ""});
  ASSERT_TRUE(replayed.ok()) << replayed.status().message();
  EXPECT_EQ((*replayed)["status"], "succeeded");
}

TEST_F(ClientExecutionTest, RunPassesTooManyExecutionsOnAsExhausted) {
  TestHttpsServer server(
      serverFiles(),
      jsonAnswer(429, R"({"error": {"code": "too_many_executions", "message": "limit 8"}})"),
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  const auto refused = client.run("linux.uptime", json::object());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::exhausted);
  EXPECT_EQ(refused.apiError()->code, "too_many_executions");
}

TEST_F(ClientExecutionTest, CancelDeletesTheExecution) {
  TestRequest seen;
  TestHttpsServer server(
      serverFiles(),
      [&seen](const TestRequest& request) {
        seen = request;
        return Response{202, {}, R"({"id": "e 1", "status": "canceling"})"};
      },
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  const auto canceled = client.cancel("e 1");
  ASSERT_TRUE(canceled.ok()) << canceled.status().message();
  EXPECT_EQ((*canceled)["status"], "canceling");
  EXPECT_EQ(seen.method, "DELETE");
  EXPECT_EQ(seen.target, "/v1/executions/e%201");
}

TEST_F(ClientExecutionTest, CancelAccepts200) {
  TestHttpsServer server(serverFiles(), jsonAnswer(200, R"({"id": "e1", "status": "canceled"})"),
                         false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  const auto canceled = client.cancel("e1");
  ASSERT_TRUE(canceled.ok()) << canceled.status().message();
  EXPECT_EQ((*canceled)["status"], "canceled");
}

TEST_F(ClientExecutionTest, CancelOfAnEndedExecutionIsNotCancelable) {
  TestHttpsServer server(
      serverFiles(),
      jsonAnswer(409, R"({"error": {"code": "not_cancelable", "message": "it has ended"}})"),
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  const auto canceled = client.cancel("e1");
  ASSERT_FALSE(canceled.ok());
  EXPECT_EQ(canceled.status().code(), ErrorCode::conflict);
  ASSERT_TRUE(canceled.apiError().has_value());
  EXPECT_EQ(canceled.apiError()->http_status, 409);
  EXPECT_EQ(canceled.apiError()->code, "not_cancelable");
}

TEST_F(ClientExecutionTest, FollowHandsOverEachPieceAsItArrives) {
  ReceivedPieces received;
  std::string target;
  TestHttpsServer server(
      serverFiles(),
      [&](const TestRequest& request) -> TestResponse {
        if (request.target == "/v1/health") return Response{200, {}, R"({"status": "ok"})"};
        target = request.target;
        TestResponse answer(Response{200, {{"Rivet-Output-Offset", "5"}}, ""});
        answer.chunks = {"hello ", "world\n", "bye"};
        // A piece is sent only once the client has handed over the one before it; before the
        // second the action is silent for longer than the request timeout.
        answer.before_chunk = [&received](std::size_t index) {
          received.waitFor(index);
          if (index == 1) std::this_thread::sleep_for(std::chrono::milliseconds(300));
        };
        return answer;
      },
      false);
  // A short request timeout: following a silent action must not trip it.
  Client client({"127.0.0.1", server.port()}, clientFiles(),
                {std::chrono::seconds(10), std::chrono::milliseconds(100)});
  const auto next =
      client.follow("e1", "stdout", 5, [&](std::string_view bytes) { received.add(bytes); });
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(*next, 5u + 15u);
  EXPECT_EQ(received.pieces(), (std::vector<std::string>{"hello ", "world\n", "bye"}));
  EXPECT_EQ(target, "/v1/executions/e1/output?stream=stdout&offset=5&follow=true");
  // The connection is kept for what follows.
  ASSERT_TRUE(client.request("GET", "/v1/health").ok());
  EXPECT_EQ(server.connectionsAccepted(), 1);
}

TEST_F(ClientExecutionTest, FollowResumesWhereADroppedConnectionStopped) {
  const std::string output = "0123456789abcdefghij";
  std::vector<std::string> targets;
  TestHttpsServer server(
      serverFiles(),
      [&](const TestRequest& request) {
        targets.push_back(request.target);
        const std::uint64_t offset = offsetOf(request.target);
        TestResponse answer(Response{200, {{"Rivet-Output-Offset", std::to_string(offset)}}, ""});
        if (targets.size() == 1) {
          // Two pieces, then the connection dies in the middle of the body.
          answer.chunks = {output.substr(offset, 4), output.substr(offset + 4, 4)};
          answer.drop_after_chunks = true;
        } else {
          answer.chunks = {output.substr(offset)};
        }
        return answer;
      },
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  ReceivedPieces received;
  const auto next =
      client.follow("e1", "stderr", 0, [&](std::string_view bytes) { received.add(bytes); });
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(received.joined(), output);
  EXPECT_EQ(*next, output.size());
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0], "/v1/executions/e1/output?stream=stderr&offset=0&follow=true");
  EXPECT_EQ(targets[1], "/v1/executions/e1/output?stream=stderr&offset=8&follow=true");
}

TEST_F(ClientExecutionTest, FollowGivesUpAfterFiveAttemptsThatBringNothing) {
  int requests = 0;
  TestHttpsServer server(
      serverFiles(),
      [&requests](const TestRequest&) {
        // A first answer cut short after one byte; then no answer at all.
        if (++requests > 1) return TestResponse::dropped();
        TestResponse answer(Response{200, {}, ""});
        answer.chunks = {"x"};
        answer.drop_after_chunks = true;
        return answer;
      },
      false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  std::string received;
  const auto next =
      client.follow("e1", "stdout", 0, [&](std::string_view bytes) { received.append(bytes); });
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::unavailable);
  EXPECT_EQ(received, "x");
  EXPECT_EQ(server.requestsServed(), 1 + 5);
}

TEST_F(ClientExecutionTest, FollowReturnsTheApiError) {
  TestHttpsServer server(
      serverFiles(),
      jsonAnswer(404, R"({"error": {"code": "unknown_execution", "message": "no e9"}})"), false);
  Client client({"127.0.0.1", server.port()}, clientFiles());
  const auto next = client.follow("e9", "stdout", 0, [](std::string_view) {});
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::not_found);
  EXPECT_EQ(next.apiError()->code, "unknown_execution");
}

TEST_F(ClientExecutionTest, FollowFailsAtOnceWhenTheHostCannotBeReached) {
  std::uint16_t port = 0;
  {
    TestHttpsServer gone(serverFiles(), jsonAnswer(200, "{}"), false);
    port = gone.port();
  }
  Client client({"127.0.0.1", port}, clientFiles());
  const auto next = client.follow("e1", "stdout", 0, [](std::string_view) {});
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::unavailable);
}

}  // namespace
}  // namespace rivet::client
