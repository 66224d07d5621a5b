// Requests whose work would hold a transport thread too long (a pack sent in dev mode is
// prepared first: a virtualenv build may take minutes) are answered from a thread of its own,
// through sdk::PendingResponse, so the transport's few threads keep serving everyone else.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "rivet/sdk/transport.hpp"

namespace rivet::core {

class BackgroundResponder {
 public:
  using Job = std::function<sdk::HttpResponse()>;

  BackgroundResponder();
  BackgroundResponder(const BackgroundResponder&) = delete;
  BackgroundResponder& operator=(const BackgroundResponder&) = delete;
  ~BackgroundResponder();  // stop()

  // A response that runs `job` on the background thread, one job at a time in arrival order,
  // and answers with what it returns (a pending one in its turn).
  std::shared_ptr<sdk::PendingResponse> later(Job job);

  // Lets the job under way finish; those still queued are answered 503. Idempotent.
  void stop();

 private:
  using Respond = std::function<void(sdk::HttpResponse)>;
  class Deferred;

  void enqueue(Job job, Respond respond);
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<Job, Respond>> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace rivet::core
