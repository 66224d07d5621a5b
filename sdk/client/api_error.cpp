#include "rivet/client/api_error.hpp"

namespace rivet::client {
namespace {

using rivet::sdk::ErrorCode;

// The inverse of the table in docs/rest-api.md, so that callers who only look at the Status
// still see the class of failure.
ErrorCode errorCodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
    case 405:
    case 415:
      return ErrorCode::invalid_argument;
    case 404:
      return ErrorCode::not_found;
    case 409:
      return ErrorCode::conflict;
    case 413:
      return ErrorCode::too_large;
    case 422:
      return ErrorCode::unprocessable;
    case 429:
      return ErrorCode::exhausted;
    case 503:
      return ErrorCode::unavailable;
    default:
      return ErrorCode::internal;
  }
}

// What a non-API body says, short enough for one line of a terminal.
std::string bodySnippet(std::string_view body) {
  constexpr std::size_t kMaxLength = 200;
  std::string snippet(body.substr(0, kMaxLength));
  for (char& c : snippet) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return body.size() > kMaxLength ? snippet + "..." : snippet;
}

}  // namespace

ApiError apiErrorFromResponse(int http_status, std::string_view body) {
  ApiError error;
  error.http_status = http_status;
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const auto* fields = json.is_object() && json.contains("error") ? &json["error"] : nullptr;
  if (fields != nullptr && fields->is_object() &&
      fields->value("code", nlohmann::json()).is_string()) {
    error.code = (*fields)["code"].get<std::string>();
    const auto message = fields->value("message", nlohmann::json());
    error.message = message.is_string() ? message.get<std::string>() : "";
    const auto details = fields->value("details", nlohmann::json());
    if (details.is_array()) error.details = details;
    return error;
  }
  error.code = "http_" + std::to_string(http_status);
  error.message =
      body.empty() ? "the server answered HTTP " + std::to_string(http_status) : bodySnippet(body);
  return error;
}

rivet::sdk::Status toStatus(const ApiError& error) {
  return rivet::sdk::Status(errorCodeForHttpStatus(error.http_status),
                            error.message.empty() ? error.code : error.code + ": " + error.message);
}

}  // namespace rivet::client
