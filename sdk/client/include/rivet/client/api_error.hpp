// The error body every rivetd error carries ({"error": {"code", "message", "details"}}, see
// docs/rest-api.md), and the result type that keeps it next to the Status it maps to, so a
// caller can branch on the API's `code` and show `details` without parsing a message.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "rivet/sdk/status.hpp"

namespace rivet::client {

struct ApiError {
  int http_status = 0;
  std::string code;  // e.g. "invalid_parameters"; "http_<status>" for a non-API body
  std::string message;
  nlohmann::json details;  // the `details` array when the server sent one, else null
};

// Reads an error response. Never fails: a body that is not the API's error shape (a proxy's
// HTML page, say) still yields an ApiError named after the HTTP status.
ApiError apiErrorFromResponse(int http_status, std::string_view body);

// Status "<code>: <message>", its ErrorCode chosen from the HTTP status (404 → not_found, 422 →
// unprocessable, ...).
rivet::sdk::Status toStatus(const ApiError& error);

// A StatusOr that also remembers the ApiError when the failure was an answer from the server.
// Failures found before or without an answer (unreachable host, bad local input) carry none.
template <typename T>
class Result : public rivet::sdk::StatusOr<T> {
 public:
  // Implicit on purpose, like StatusOr's: `return value;` and `return status;` read best.
  // NOLINTNEXTLINE(google-explicit-constructor)
  Result(T value) : rivet::sdk::StatusOr<T>(std::move(value)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  Result(rivet::sdk::Status status) : rivet::sdk::StatusOr<T>(std::move(status)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  Result(ApiError error) : rivet::sdk::StatusOr<T>(toStatus(error)), api_error_(std::move(error)) {}

  const std::optional<ApiError>& apiError() const { return api_error_; }

  // The same failure as a Result of another type, ApiError included. Only for failed results.
  template <typename U>
  Result<U> failureAs() const {
    if (api_error_) return Result<U>(*api_error_);
    return Result<U>(this->status());
  }

 private:
  std::optional<ApiError> api_error_;
};

}  // namespace rivet::client
