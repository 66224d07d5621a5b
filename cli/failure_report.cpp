#include "failure_report.hpp"

#include <iostream>

#include "exit_codes.hpp"

namespace rivet::cli {

int reportFailure(const rivet::sdk::Status& status,
                  const std::optional<rivet::client::ApiError>& api_error) {
  std::cerr << "rivet: " << status.message() << '\n';
  if (api_error) {
    if (api_error->details.is_array()) {
      for (const auto& detail : api_error->details) {
        if (!detail.is_object()) continue;
        const auto parameter = detail.value("parameter", "");
        const auto message = detail.value("message", detail.dump());
        std::cerr << "  " << (parameter.empty() ? "" : parameter + ": ") << message << '\n';
      }
    }
    return kExitFailed;
  }
  switch (status.code()) {
    case rivet::sdk::ErrorCode::unavailable:
      return kExitUnreachable;
    case rivet::sdk::ErrorCode::invalid_argument:
      return kExitUsage;
    default:
      return kExitFailed;
  }
}

}  // namespace rivet::cli
