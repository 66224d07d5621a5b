// One way to tell the user a command failed, and the exit code that goes with it.
#pragma once

#include <optional>

#include "rivet/client/api_error.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::cli {

// Prints "rivet: <message>" to stderr, with an API error's details one per line, and returns
// kExitFailed for an API error, kExitUnreachable when the host could not be reached,
// kExitUsage for bad local input (files, arguments) and kExitFailed otherwise.
int reportFailure(const rivet::sdk::Status& status,
                  const std::optional<rivet::client::ApiError>& api_error = std::nullopt);

template <typename T>
int reportFailure(const rivet::client::Result<T>& result) {
  return reportFailure(result.status(), result.apiError());
}

}  // namespace rivet::cli
