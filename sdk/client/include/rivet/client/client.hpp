// A client for one rivetd: the REST API v1 (docs/rest-api.md) over HTTPS with mutual TLS.
//
// A Client keeps one keep-alive connection and opens it on first use; when the server has
// closed it in between (idle timeout, restart) the Client reconnects once, transparently. One
// Client may be used from one thread at a time; many Clients may run in parallel.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "rivet/client/api_error.hpp"
#include "rivet/client/endpoint.hpp"
#include "rivet/client/response.hpp"
#include "rivet/client/tls_files.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::client {

class HttpsConnection;

struct Timeouts {
  std::chrono::milliseconds connect{10'000};  // TCP connect plus TLS handshake
  std::chrono::milliseconds request{30'000};  // writing one request and reading its response
};

// Query of GET /v1/executions; empty fields are left out and take the server's defaults.
struct ExecutionFilter {
  std::string action;        // an action ref (pack.action) or a pack ref
  std::string status;        // one execution status
  std::optional<int> limit;  // 1..500
  std::string before;        // an execution id: the cursor of the next page
};

// One read of GET /v1/executions/{id}/output.
struct OutputChunk {
  std::string bytes;
  std::uint64_t offset = 0;       // where `bytes` starts in the stream
  std::uint64_t next_offset = 0;  // where to read next
  std::string status;             // the execution's status when read
  bool complete = false;          // the execution has ended and every byte was returned
};

// The most RunOptions::wait_seconds may ask for.
inline constexpr int kMaxRunWaitSeconds = 60;

// How to start an execution, beyond its action and parameters.
struct RunOptions {
  // Names this request: sending it again with the same key (from the same client identity)
  // gets the execution it started rather than a second one. Empty: the library makes up a
  // random one, which covers its own retry after a lost connection; give your own to make
  // retries across processes safe too.
  std::string idempotency_key;
  // Seconds the action may run before rivetd stops it (status `timeout`); unset: the
  // action's own timeout.
  std::optional<int> timeout_seconds;
  // Seconds (0 to kMaxRunWaitSeconds) rivetd may hold the answer until the execution has ended: run() then
  // returns it ended, in one round trip, or as it is when the wait is over. Unset: at once.
  std::optional<int> wait_seconds;
  // Dev mode: a pack archive (pack_artifact::writePackArchive's bytes) to run the action from,
  // installed on that host for this run only. The host refuses it (403) unless its
  // [dev-packs] config names this client's certificate subject. Empty: the host's own pack.
  // The host prepares it before it answers: the request may take kDevPackPreparationAllowance
  // longer.
  std::string pack_archive;
};

// How much longer a run() with a pack_archive may take to be answered: the host unpacks and
// prepares the pack first (a Python pack's first virtualenv build).
inline constexpr std::chrono::seconds kDevPackPreparationAllowance{600};

// False for requested, scheduled, running and canceling: the statuses an execution leaves.
bool isTerminalStatus(std::string_view status);

class Client {
 public:
  // Connects lazily: a bad file or an unreachable host shows in the first call's result.
  Client(Endpoint endpoint, TlsFiles tls_files, Timeouts timeouts = {});
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  const Endpoint& endpoint() const;

  // Any request; a response with an error status is still a response here. Fails with
  // unavailable ("cannot reach host:port: <reason>") when no response could be had, and with
  // invalid_argument when the TLS files cannot be loaded.
  rivet::sdk::StatusOr<Response> request(std::string_view method, const std::string& target,
                                         const std::string& body = "", const Headers& headers = {});

  // The API, one call per endpoint. Each returns the response body as JSON, or the server's
  // error as an ApiError.
  Result<nlohmann::json> health();
  Result<nlohmann::json> packs();
  Result<nlohmann::json> actions();
  Result<nlohmann::json> action(std::string_view ref);
  // Starts an execution; returns it (status `requested`, with its `id`; with wait_seconds,
  // ended if it ended in time). A request whose idempotency key was seen before returns the
  // execution that key started, in whatever status it has reached.
  Result<nlohmann::json> run(std::string_view ref, const nlohmann::json& parameters,
                             const RunOptions& options);
  Result<nlohmann::json> run(std::string_view ref, const nlohmann::json& parameters);
  // Asks rivetd to stop the execution; returns it as it is then (typically `canceling`). An
  // execution that has already ended is the ApiError 409 `not_cancelable`.
  Result<nlohmann::json> cancel(std::string_view execution_id);
  Result<nlohmann::json> get(std::string_view execution_id);
  // {"items": [...], "next_before": id | null}, newest first.
  Result<nlohmann::json> list(const ExecutionFilter& filter = {});
  // `stream` is "stdout" or "stderr"; a `limit` of 0 takes the server's default (1 MiB).
  Result<OutputChunk> output(std::string_view execution_id, std::string_view stream,
                             std::uint64_t offset = 0, std::uint64_t limit = 0);

  // Follows one output stream ("stdout" or "stderr") from `offset` until the execution ends,
  // calling `on_bytes` with each piece as soon as it arrives, and returns the offset after the
  // last byte. There is no read timeout: an action may be silent for minutes. When the
  // connection drops, it reconnects and resumes where the bytes stopped, so none is missed or
  // repeated; it gives up (unavailable) after 5 attempts in a row that brought nothing.
  // Failures before the first byte of the answer are returned at once, as from any call.
  Result<std::uint64_t> follow(std::string_view execution_id, std::string_view stream,
                               std::uint64_t offset,
                               const std::function<void(std::string_view)>& on_bytes);

  // Polls get() until the execution reaches a terminal status or the deadline passes, and
  // returns the last Execution read: the caller tells the two apart with isTerminalStatus.
  Result<nlohmann::json> waitForEnd(
      std::string_view execution_id, std::chrono::steady_clock::time_point deadline,
      std::chrono::milliseconds poll_interval = std::chrono::milliseconds(250));

 private:
  // Sends a request and reads a JSON body, expecting one of `expected_statuses`.
  Result<nlohmann::json> exchangeJson(std::string_view method, const std::string& target,
                                      std::initializer_list<int> expected_statuses,
                                      const std::string& body = "", const Headers& headers = {},
                                      std::chrono::milliseconds answer_delay = {});

  std::unique_ptr<HttpsConnection> connection_;
};

}  // namespace rivet::client
