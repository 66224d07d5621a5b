// JSON responses and the one error shape every layer uses (docs/rest-api.md, "Errors").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rivet/sdk/status.hpp"
#include "rivet/sdk/transport.hpp"
#include "rivet/sdk/types.hpp"

namespace rivet::core {

sdk::HttpResponse jsonResponse(int http_status, const nlohmann::json& body);

// {"error": {"code", "message", "details"?}}
sdk::HttpResponse errorResponse(int http_status, std::string_view code, std::string_view message,
                                const nlohmann::json& details = nullptr);

// A plugin's or the executor's Status as an API error (400, 404, 409, 413, 422, 503, 500).
sdk::HttpResponse errorResponse(const sdk::Status& status);

// The value of an optional, or null.
nlohmann::json optionalJson(const auto& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// {"memory_bytes", "cpu_share", "pids"}, null for a resource without a cap.
nlohmann::json limitsJson(const sdk::ResourceLimits& limits);

// RFC 3339 UTC with milliseconds: "2026-11-23T16:21:27.123Z".
std::string formatTime(std::int64_t ms_since_epoch);

}  // namespace rivet::core
