// Responses the host gives later (sdk::PendingResponse). The host holds only `respond`
// callbacks that refer to this registry; the waiting sessions are held here, so that the
// server can release them all while its io_context still exists, and a late `respond` after
// that finds nothing to post to.
#pragma once

// clang-format off: must stay first
#include <utility>  // before Asio: Boost 1.74 + GCC 12 need std::exchange declared first
// clang-format on

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "rivet/sdk/transport.hpp"

namespace rivet::plugins::transport_https {

class PendingResponses : public std::enable_shared_from_this<PendingResponses> {
 public:
  using Deliver = std::function<void(sdk::HttpResponse)>;

  // Keeps `deliver` (which holds its session) until the returned callback is called; then
  // runs it on `executor` (the session's strand) with the response. Later calls do nothing.
  std::function<void(sdk::HttpResponse)> hold(boost::asio::any_io_executor executor,
                                              Deliver deliver);

  // The server is stopping: drops every waiting session; responses that come later are
  // dropped too. Call before the io_context is destroyed.
  void releaseAll();

 private:
  struct Waiting {
    boost::asio::any_io_executor executor;
    Deliver deliver;
  };
  void respond(std::uint64_t id, sdk::HttpResponse response);

  std::mutex mutex_;
  bool released_ = false;
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, Waiting> waiting_;
};

}  // namespace rivet::plugins::transport_https
