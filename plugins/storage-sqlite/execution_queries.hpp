// The SQL text that reads executions. Kept apart from the store so the tests can ask SQLite
// (EXPLAIN QUERY PLAN) how it runs the very statements the store prepares.
#pragma once

#include <string>

#include "rivet/sdk/storage.hpp"

namespace rivet::plugins::storage_sqlite {

// Columns in the order decodeExecution() (execution_rows.cpp) reads them.
inline constexpr const char* kExecutionColumns =
    "id, pack, action, parameters, requester_subject, requester_sans, status, exit_code, "
    "term_signal, error, created_at_ms, started_at_ms, ended_at_ms, pid, stdout_path, "
    "stderr_path, timeout_seconds, idempotency_key, result, peak_memory_bytes, cpu_time_us, "
    "oom_killed, pack_version, pack_source, pack_digest";

// The newest-first page for `query`. Parameters appear only for the filters set:
// :pack, :action, :status, :before_seq (the seq of the `before` execution), and always :limit.
std::string listExecutionsSql(const sdk::ExecutionQuery& query);

// The execution that :requester_subject created with the non-empty key :idempotency_key.
// `idempotency_key != ''` repeats the condition of the partial index it reads.
std::string executionByIdempotencyKeySql();

// Every non-terminal execution, oldest first. The status list repeats, word for word, the
// condition of the partial index executions_unfinished (schema_migrations.hpp), which SQLite
// needs to use it; INDEXED BY makes preparing fail if it ever could not.
std::string unfinishedExecutionsSql();

// Up to :limit terminal executions with ended_at_ms < :ended_before_ms, oldest end first, read
// from the partial index executions_purgeable (same rule as above).
std::string purgeCandidatesSql();

}  // namespace rivet::plugins::storage_sqlite
