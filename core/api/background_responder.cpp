#include "api/background_responder.hpp"

#include <exception>

#include "api/http_json.hpp"

namespace rivet::core {

class BackgroundResponder::Deferred final : public sdk::PendingResponse {
 public:
  Deferred(BackgroundResponder& owner, Job job) : owner_(owner), job_(std::move(job)) {}
  void start(std::function<void(sdk::HttpResponse)> respond) override {
    owner_.enqueue(std::move(job_), std::move(respond));
  }

 private:
  BackgroundResponder& owner_;
  Job job_;
};

BackgroundResponder::BackgroundResponder() : thread_([this] { run(); }) {}

BackgroundResponder::~BackgroundResponder() { stop(); }

std::shared_ptr<sdk::PendingResponse> BackgroundResponder::later(Job job) {
  return std::make_shared<Deferred>(*this, std::move(job));
}

void BackgroundResponder::enqueue(Job job, Respond respond) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.emplace_back(std::move(job), std::move(respond));
      wake_.notify_one();
      return;
    }
  }
  respond(errorResponse(503, "unavailable", "rivetd is stopping"));
}

void BackgroundResponder::stop() {
  std::deque<std::pair<Job, Respond>> dropped;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  wake_.notify_all();
  for (auto& [job, respond] : dropped) respond(errorResponse(503, "unavailable", "rivetd is stopping"));
  if (thread_.joinable()) thread_.join();
}

void BackgroundResponder::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping
    auto [job, respond] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    sdk::HttpResponse response;
    try {
      response = job();
    } catch (const std::exception& e) {
      response = errorResponse(500, "internal", std::string("internal error: ") + e.what());
    }
    if (response.pending) {
      response.pending->start(std::move(respond));
    } else {
      respond(std::move(response));
    }
    lock.lock();
  }
}

}  // namespace rivet::core
