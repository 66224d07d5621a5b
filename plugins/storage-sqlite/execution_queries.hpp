// The SQL text that reads executions. Kept apart from the store so the tests can ask SQLite
// (EXPLAIN QUERY PLAN) how it runs the very statements the store prepares.
#pragma once

#include <string>

#include "rivet/sdk/storage.hpp"

namespace rivet::plugins::storage_sqlite {

// Columns in the order decodeExecution() (sqlite_execution_store.cpp) reads them.
inline constexpr const char* kExecutionColumns =
    "id, pack, action, parameters, requester_subject, requester_sans, status, exit_code, "
    "term_signal, error, created_at_ms, started_at_ms, ended_at_ms, pid, stdout_path, "
    "stderr_path";

// The newest-first page for `query`. Parameters appear only for the filters set:
// :pack, :action, :status, :before_seq (the seq of the `before` execution), and always :limit.
std::string listExecutionsSql(const sdk::ExecutionQuery& query);

}  // namespace rivet::plugins::storage_sqlite
