#include "api/background_responder.hpp"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <vector>

#include "rivet/test/rivetd_process.hpp"

namespace rivet::core {
namespace {

using namespace std::chrono_literals;

// What a transport would send, in the order it was given.
struct Answers {
  std::mutex mutex;
  std::vector<sdk::HttpResponse> sent;

  std::function<void(sdk::HttpResponse)> respond() {
    return [this](sdk::HttpResponse response) {
      std::lock_guard lock(mutex);
      sent.push_back(std::move(response));
    };
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return sent.size();
  }
};

sdk::HttpResponse withStatus(int status) {
  sdk::HttpResponse response;
  response.status = status;
  return response;
}

TEST(BackgroundResponderTest, RunsJobsOffTheCallersThreadInArrivalOrder) {
  BackgroundResponder responder;
  Answers answers;
  std::promise<void> release;
  auto released = release.get_future().share();
  // The first job waits: start() must return at once regardless, as a transport thread would.
  responder.later([released] {
    released.wait();
    return withStatus(201);
  })->start(answers.respond());
  responder.later([] { return withStatus(202); })->start(answers.respond());
  EXPECT_EQ(answers.count(), 0u);
  release.set_value();
  ASSERT_TRUE(rivet::test::waitUntil([&] { return answers.count() == 2; }, 10s));
  EXPECT_EQ(answers.sent[0].status, 201);
  EXPECT_EQ(answers.sent[1].status, 202);
}

TEST(BackgroundResponderTest, APendingAnswerIsStartedInItsTurn) {
  struct Later final : sdk::PendingResponse {
    void start(std::function<void(sdk::HttpResponse)> respond) override { respond(withStatus(200)); }
  };
  BackgroundResponder responder;
  Answers answers;
  responder.later([] {
    sdk::HttpResponse response;
    response.pending = std::make_shared<Later>();
    return response;
  })->start(answers.respond());
  ASSERT_TRUE(rivet::test::waitUntil([&] { return answers.count() == 1; }, 10s));
  EXPECT_EQ(answers.sent[0].status, 200);
  EXPECT_EQ(answers.sent[0].pending, nullptr);
}

TEST(BackgroundResponderTest, StoppingAnswersWhatIsQueuedWith503AndRunsNoMore) {
  BackgroundResponder responder;
  Answers answers;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> running;
  responder.later([&running, released] {
    running.set_value();
    released.wait();
    return withStatus(201);
  })->start(answers.respond());
  running.get_future().wait();
  bool second_ran = false;
  responder.later([&second_ran] {
    second_ran = true;
    return withStatus(202);
  })->start(answers.respond());
  auto stopped = std::async(std::launch::async, [&] { responder.stop(); });
  ASSERT_TRUE(rivet::test::waitUntil([&] { return answers.count() == 1; }, 10s));
  EXPECT_EQ(answers.sent[0].status, 503);  // the queued one, answered at once
  release.set_value();
  stopped.get();  // the one under way was let finish
  ASSERT_EQ(answers.count(), 2u);
  EXPECT_EQ(answers.sent[1].status, 201);
  EXPECT_FALSE(second_ran);
  responder.later([] { return withStatus(204); })->start(answers.respond());
  ASSERT_EQ(answers.count(), 3u);
  EXPECT_EQ(answers.sent[2].status, 503);
}

}  // namespace
}  // namespace rivet::core
