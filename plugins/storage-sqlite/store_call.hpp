// What the public calls of SqliteExecutionStore share; they are defined in
// sqlite_execution_store.cpp (configure, writes, check) and sqlite_execution_store_reads.cpp.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "rivet/sdk/status.hpp"

namespace rivet::plugins::storage_sqlite {

// Runs one public call: nothing may throw across the plugin boundary, so any exception (a bad
// allocation, a corrupt JSON column) becomes an internal error naming the call.
template <typename Body>
auto guardedCall(std::string_view call, Body&& body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& error) {
    return sdk::Status(sdk::ErrorCode::internal,
                       "storage-sqlite " + std::string(call) + ": " + error.what());
  } catch (...) {
    return sdk::Status(sdk::ErrorCode::internal,
                       "storage-sqlite " + std::string(call) + ": unknown error");
  }
}

inline sdk::Status notConfigured() {
  return sdk::Status(sdk::ErrorCode::unavailable,
                     "storage-sqlite is used before configure() succeeded");
}

inline sdk::Status noSuchExecution(const std::string& id) {
  return sdk::Status(sdk::ErrorCode::not_found, "no execution with id '" + id + "'");
}

}  // namespace rivet::plugins::storage_sqlite
