// Between an ExecutionRecord and its row in `executions`: reading a selected row back, and
// the columns that take more than one plain bind (the result's JSON text, resource usage).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rivet/sdk/status.hpp"
#include "rivet/sdk/types.hpp"
#include "sqlite_database.hpp"

namespace rivet::plugins::storage_sqlite {

sdk::StatusOr<sdk::ExecutionStatus> decodeStatus(const std::string& text, const std::string& id);

// Reads the row a statement selecting kExecutionColumns (execution_queries.hpp) stands on.
sdk::StatusOr<sdk::ExecutionRecord> decodeExecution(const Statement& row);

// Every row a statement selecting kExecutionColumns returns, stepped to its end.
sdk::StatusOr<std::vector<sdk::ExecutionRecord>> decodeExecutions(Statement& statement);

// The seq of execution `id`, empty when there is none.
sdk::StatusOr<std::optional<std::int64_t>> findSeq(Database& database, const std::string& id);

// The text to store in executions.result: empty (NULL) for a null result, else its compact
// JSON. too_large when that text is over `max_bytes`, so one huge result cannot bloat the
// history every list() reads; invalid_argument when it cannot be written as JSON (invalid
// UTF-8 in a string).
sdk::StatusOr<std::optional<std::string>> encodeResult(const nlohmann::json& result,
                                                       std::int64_t max_bytes,
                                                       const std::string& id);

void bindOptionalText(Statement& statement, const char* name,
                      const std::optional<std::string>& text);

// Binds :peak_memory_bytes, :cpu_time_us and :oom_killed; all three NULL when there is no
// usage.
void bindUsage(Statement& statement, const std::optional<sdk::ResourceUsage>& usage);

}  // namespace rivet::plugins::storage_sqlite
