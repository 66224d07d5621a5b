#include "rivet/client/client.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <thread>
#include <utility>

#include "https_connection.hpp"

namespace rivet::client {
namespace {

using nlohmann::json;
using rivet::sdk::ErrorCode;

std::string base64(std::string_view bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(written));
  return text;
}
using rivet::sdk::Status;

// Percent-encodes everything but RFC 3986's unreserved characters: enough for refs, ids and
// statuses, whether they go into a path segment or a query value.
std::string percentEncoded(std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 0x0f];
    }
  }
  return encoded;
}

// Builds "?a=1&b=2" from the pairs whose value is not empty.
std::string queryString(std::initializer_list<std::pair<std::string_view, std::string>> pairs) {
  std::string query;
  for (const auto& [name, value] : pairs) {
    if (value.empty()) continue;
    query += query.empty() ? '?' : '&';
    query += std::string(name) + "=" + percentEncoded(value);
  }
  return query;
}

std::uint64_t headerNumber(const Response& response, std::string_view name) {
  const std::string_view text = response.header(name);
  std::uint64_t number = 0;
  std::from_chars(text.data(), text.data() + text.size(), number);
  return number;
}

// A random UUID (version 4), e.g. "3b241101-e2bb-4255-8caf-4136c566a962".
rivet::sdk::StatusOr<std::string> randomIdempotencyKey() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status(ErrorCode::internal, "cannot make an idempotency key: no random bytes");
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) key += '-';
    key += kHex[bytes[i] >> 4];
    key += kHex[bytes[i] & 0x0f];
  }
  return key;
}

// follow(): attempts in a row that may bring nothing before giving up, and the pause before
// the first repeat, doubled for each next one (0.1 + 0.2 + 0.4 + 0.8 + 1.6 s at most).
constexpr int kMaxFollowAttemptsWithoutProgress = 5;
constexpr std::chrono::milliseconds kFollowFirstBackoff{100};

}  // namespace

bool isTerminalStatus(std::string_view status) {
  constexpr std::array<std::string_view, 4> kNonTerminal = {"requested", "scheduled", "running",
                                                            "canceling"};
  return std::ranges::find(kNonTerminal, status) == kNonTerminal.end();
}

Client::Client(Endpoint endpoint, TlsFiles tls_files, Timeouts timeouts)
    : connection_(makeHttpsConnection(std::move(endpoint), std::move(tls_files), timeouts)) {}

Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

const Endpoint& Client::endpoint() const { return connection_->endpoint(); }

rivet::sdk::StatusOr<Response> Client::request(std::string_view method, const std::string& target,
                                               const std::string& body, const Headers& headers) {
  return connection_->send(method, target, body, headers, {});
}

Result<json> Client::exchangeJson(std::string_view method, const std::string& target,
                                  std::initializer_list<int> expected_statuses,
                                  const std::string& body, const Headers& headers,
                                  std::chrono::milliseconds answer_delay) {
  auto response = connection_->send(method, target, body, headers, answer_delay);
  if (!response.ok()) return response.status();
  if (std::ranges::find(expected_statuses, response->status) == expected_statuses.end()) {
    return apiErrorFromResponse(response->status, response->body);
  }
  auto parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status(ErrorCode::internal, std::string(method) + " " + target + ": the server's " +
                                           std::to_string(response->status) +
                                           " response is not JSON");
  }
  return parsed;
}

Result<json> Client::health() { return exchangeJson("GET", "/v1/health", {200}); }

Result<json> Client::packs() { return exchangeJson("GET", "/v1/packs", {200}); }

Result<json> Client::actions() { return exchangeJson("GET", "/v1/actions", {200}); }

Result<json> Client::action(std::string_view ref) {
  return exchangeJson("GET", "/v1/actions/" + percentEncoded(ref), {200});
}

Result<json> Client::run(std::string_view ref, const json& parameters) {
  return run(ref, parameters, RunOptions{});
}

Result<json> Client::run(std::string_view ref, const json& parameters, const RunOptions& options) {
  std::string key = options.idempotency_key;
  if (key.empty()) {
    auto random_key = randomIdempotencyKey();
    if (!random_key.ok()) return random_key.status();
    key = std::move(*random_key);
  }
  json body = {{"action", ref}, {"parameters", parameters}};
  if (options.timeout_seconds) body["timeout"] = *options.timeout_seconds;
  if (options.wait_seconds) body["wait"] = *options.wait_seconds;
  if (!options.pack_archive.empty()) body["pack"] = {{"archive", base64(options.pack_archive)}};
  // 200: the execution has ended (it was waited for), or the key was seen before and this is
  // the execution it started.
  // A pack sent along is prepared before the answer (a virtualenv may be built first).
  const auto preparation =
      options.pack_archive.empty() ? std::chrono::seconds(0) : kDevPackPreparationAllowance;
  return exchangeJson("POST", "/v1/executions", {202, 200}, body.dump(),
                      {{"Idempotency-Key", key}},
                      std::chrono::seconds(options.wait_seconds.value_or(0)) + preparation);
}

Result<json> Client::cancel(std::string_view execution_id) {
  return exchangeJson("DELETE", "/v1/executions/" + percentEncoded(execution_id), {200, 202});
}

Result<json> Client::get(std::string_view execution_id) {
  return exchangeJson("GET", "/v1/executions/" + percentEncoded(execution_id), {200});
}

Result<json> Client::list(const ExecutionFilter& filter) {
  const std::string query =
      queryString({{"action", filter.action},
                   {"status", filter.status},
                   {"limit", filter.limit ? std::to_string(*filter.limit) : ""},
                   {"before", filter.before}});
  return exchangeJson("GET", "/v1/executions" + query, {200});
}

Result<OutputChunk> Client::output(std::string_view execution_id, std::string_view stream,
                                   std::uint64_t offset, std::uint64_t limit) {
  const std::string target = "/v1/executions/" + percentEncoded(execution_id) + "/output" +
                             queryString({{"stream", std::string(stream)},
                                          {"offset", std::to_string(offset)},
                                          {"limit", limit > 0 ? std::to_string(limit) : ""}});
  auto response = request("GET", target);
  if (!response.ok()) return response.status();
  if (response->status != 200) return apiErrorFromResponse(response->status, response->body);
  OutputChunk chunk;
  chunk.offset = headerNumber(*response, "Rivet-Output-Offset");
  chunk.next_offset = headerNumber(*response, "Rivet-Next-Offset");
  chunk.status = std::string(response->header("Rivet-Execution-Status"));
  chunk.complete = response->header("Rivet-Output-Complete") == "true";
  chunk.bytes = std::move(response->body);
  return chunk;
}

Result<std::uint64_t> Client::follow(std::string_view execution_id, std::string_view stream,
                                     std::uint64_t offset,
                                     const std::function<void(std::string_view)>& on_bytes) {
  const std::string path = "/v1/executions/" + percentEncoded(execution_id) + "/output";
  bool following = false;  // a 200 came: from now on a dropped connection is resumed
  int attempts_without_progress = 0;
  auto backoff = kFollowFirstBackoff;
  while (true) {
    const std::string target = path + queryString({{"stream", std::string(stream)},
                                                   {"offset", std::to_string(offset)},
                                                   {"follow", "true"}});
    std::uint64_t received = 0;
    const auto on_header = [&](const Response& head) {
      following = true;
      // Where the server starts is authoritative; it names the offset it was asked for.
      if (!head.header("Rivet-Output-Offset").empty()) {
        offset = headerNumber(head, "Rivet-Output-Offset");
      }
    };
    const auto on_body = [&](std::string_view bytes) {
      received += bytes.size();
      on_bytes(bytes);
    };
    auto response = connection_->receive("GET", target, {}, on_header, on_body);
    offset += received;
    if (response.ok()) {
      if (response->status / 100 != 2) {
        return apiErrorFromResponse(response->status, response->body);
      }
      return offset;
    }
    if (!following) return response.status();
    if (received > 0) {
      attempts_without_progress = 0;
      backoff = kFollowFirstBackoff;
    } else if (++attempts_without_progress >= kMaxFollowAttemptsWithoutProgress) {
      return response.status();
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

Result<json> Client::waitForEnd(std::string_view execution_id,
                                std::chrono::steady_clock::time_point deadline,
                                std::chrono::milliseconds poll_interval) {
  while (true) {
    auto execution = get(execution_id);
    if (!execution.ok() || isTerminalStatus(execution->value("status", ""))) return execution;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return execution;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(poll_interval, deadline - now));
  }
}

}  // namespace rivet::client
