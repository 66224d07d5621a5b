#include "pending_responses.hpp"

#include <boost/asio/post.hpp>

namespace rivet::plugins::transport_https {

std::function<void(sdk::HttpResponse)> PendingResponses::hold(
    boost::asio::any_io_executor executor, Deliver deliver) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  if (!released_) waiting_.emplace(id, Waiting{std::move(executor), std::move(deliver)});
  return [self = shared_from_this(), id](sdk::HttpResponse response) {
    self->respond(id, std::move(response));
  };
}

void PendingResponses::respond(std::uint64_t id, sdk::HttpResponse response) {
  // Posted under the lock: releaseAll() cannot slip in and let the io_context go meanwhile.
  std::lock_guard lock(mutex_);
  auto it = waiting_.find(id);
  if (it == waiting_.end()) return;
  boost::asio::post(it->second.executor,
                    [deliver = std::move(it->second.deliver),
                     response = std::move(response)]() mutable { deliver(std::move(response)); });
  waiting_.erase(it);
}

void PendingResponses::releaseAll() {
  std::map<std::uint64_t, Waiting> released;
  {
    std::lock_guard lock(mutex_);
    released_ = true;
    released.swap(waiting_);
  }
  // The sessions go here, outside the lock.
}

}  // namespace rivet::plugins::transport_https
