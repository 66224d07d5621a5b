#include "api/http_json.hpp"

#include <ctime>

namespace rivet::core {

sdk::HttpResponse jsonResponse(int http_status, const nlohmann::json& body) {
  sdk::HttpResponse response;
  response.status = http_status;
  response.headers = {{"Content-Type", "application/json"}};
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

sdk::HttpResponse errorResponse(int http_status, std::string_view code, std::string_view message,
                                const nlohmann::json& details) {
  nlohmann::json error{{"code", code}, {"message", message}};
  if (!details.is_null()) error["details"] = details;
  return jsonResponse(http_status, {{"error", error}});
}

sdk::HttpResponse errorResponse(const sdk::Status& status) {
  using sdk::ErrorCode;
  switch (status.code()) {
    case ErrorCode::invalid_argument: return errorResponse(400, "invalid_request", status.message());
    case ErrorCode::not_found: return errorResponse(404, "not_found", status.message());
    case ErrorCode::conflict: return errorResponse(409, "conflict", status.message());
    case ErrorCode::too_large: return errorResponse(413, "body_too_large", status.message());
    case ErrorCode::unprocessable: return errorResponse(422, "unprocessable", status.message());
    case ErrorCode::exhausted: return errorResponse(429, "too_many_executions", status.message());
    case ErrorCode::unavailable: return errorResponse(503, "unavailable", status.message());
    case ErrorCode::ok:
    case ErrorCode::internal: break;
  }
  return errorResponse(500, "internal", status.message());
}

std::string formatTime(std::int64_t ms_since_epoch) {
  const std::time_t seconds = ms_since_epoch / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof text - length, ".%03dZ",
                static_cast<int>(ms_since_epoch % 1000));
  return text;
}

nlohmann::json limitsJson(const sdk::ResourceLimits& limits) {
  return {{"memory_bytes", optionalJson(limits.memory_bytes)},
          {"cpu_share", optionalJson(limits.cpu_share)},
          {"pids", optionalJson(limits.pids)}};
}

}  // namespace rivet::core
