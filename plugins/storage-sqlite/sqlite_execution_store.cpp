// The calls of SqliteExecutionStore that open, write and check the database; the read calls
// are in sqlite_execution_store_reads.cpp.
#include "sqlite_execution_store.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "execution_queries.hpp"
#include "execution_rows.hpp"
#include "store_call.hpp"
#include "store_config.hpp"
#include "store_database.hpp"

namespace rivet::plugins::storage_sqlite {

using sdk::ErrorCode;
using sdk::ExecutionStatus;
using sdk::Status;
using sdk::StatusOr;

namespace {

// The id of the execution `requester_subject` created with the non-empty `key`, empty when
// there is none.
StatusOr<std::optional<std::string>> findIdByIdempotencyKey(Database& database,
                                                            const std::string& requester_subject,
                                                            const std::string& key) {
  auto statement = database.prepare(executionByIdempotencyKeySql());
  if (!statement.ok()) return statement.status();
  statement->bind(":requester_subject", requester_subject);
  statement->bind(":idempotency_key", key);
  auto row = statement->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(statement->text(0));
}

// Statuses whose reason explains what went wrong, and so becomes the record's error.
bool reasonIsError(ExecutionStatus status) {
  return status == ExecutionStatus::failed || status == ExecutionStatus::timeout ||
         status == ExecutionStatus::canceled || status == ExecutionStatus::abandoned;
}

Status insertTransition(Database& database, const std::string& id,
                        std::optional<ExecutionStatus> from, ExecutionStatus to, std::int64_t at_ms,
                        const std::string& reason) {
  auto statement = database.prepare(
      "INSERT INTO execution_transitions (execution_id, seq, from_status, to_status, at_ms, "
      "reason) VALUES (:id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM execution_transitions "
      "WHERE execution_id = :id), :from_status, :to_status, :at_ms, :reason)");
  if (!statement.ok()) return statement.status();
  statement->bind(":id", id);
  if (from) {
    statement->bind(":from_status", sdk::toString(*from));
  } else {
    statement->bindNull(":from_status");
  }
  statement->bind(":to_status", sdk::toString(to));
  statement->bind(":at_ms", at_ms);
  statement->bind(":reason", reason);
  auto done = statement->step();
  return done.ok() ? Status::success() : done.status();
}

// While alive, commits on `database` do not wait for the disk (synchronous = NORMAL), when
// `active`; then back to FULL.
class UnsyncedCommits {
 public:
  UnsyncedCommits(Database& database, bool active) : database_(active ? &database : nullptr) {
    if (database_ != nullptr) setSynchronous("NORMAL");
  }
  UnsyncedCommits(const UnsyncedCommits&) = delete;
  UnsyncedCommits& operator=(const UnsyncedCommits&) = delete;
  ~UnsyncedCommits() {
    if (database_ != nullptr) setSynchronous("FULL");
  }

 private:
  void setSynchronous(const std::string& level) {
    if (auto pragma = database_->prepare("PRAGMA synchronous = " + level); pragma.ok()) {
      [[maybe_unused]] auto done = pragma->step();
    }
  }
  Database* database_;
};

}  // namespace

// ---- configure ----------------------------------------------------------------------------

Status SqliteExecutionStore::configure(const sdk::PluginContext& context) {
  return guardedCall("configure", [&] {
    std::lock_guard lock(mutex_);
    return openDatabase(context);
  });
}

Status SqliteExecutionStore::openDatabase(const sdk::PluginContext& context) {
  auto config = parseStoreConfig(context);
  if (!config.ok()) return config.status();
  auto database = openStoreDatabase(*config, *context.logger);
  if (!database.ok()) return database.status();
  database_ = std::move(*database);
  path_ = config->path;
  max_result_bytes_ = config->max_result_bytes;
  synchronous_full_ = config->synchronous == "FULL";
  context.logger->log(sdk::LogLevel::info, "storage-sqlite: using " + config->path +
                                               " (synchronous=" + config->synchronous + ")");
  return Status::success();
}

// ---- create -------------------------------------------------------------------------------

Status SqliteExecutionStore::create(const sdk::ExecutionRecord& record) {
  return guardedCall("create", [&] {
    std::lock_guard lock(mutex_);
    return database_ ? insertExecution(record) : notConfigured();
  });
}

Status SqliteExecutionStore::insertExecution(const sdk::ExecutionRecord& record) {
  if (record.id.empty()) return Status(ErrorCode::invalid_argument, "execution id is empty");
  if (record.timeout_seconds < 0) {
    return Status(ErrorCode::invalid_argument,
                  "execution '" + record.id + "' has a negative timeout_seconds (" +
                      std::to_string(record.timeout_seconds) + "); 0 means no limit");
  }
  std::string parameters;
  std::string sans;
  try {
    parameters = record.parameters.dump();
    sans = nlohmann::json(record.requester.sans).dump();
  } catch (const nlohmann::json::exception& error) {
    return Status(ErrorCode::invalid_argument,
                  "execution '" + record.id + "' cannot be stored as JSON: " + error.what());
  }
  auto result = encodeResult(record.result, max_result_bytes_, record.id);
  if (!result.ok()) return result.status();

  Database& database = *database_;
  Transaction transaction(database);
  if (auto begun = transaction.begin(); !begun.ok()) return begun;
  // The write lock is held, so nobody can insert this id between the check and the insert.
  auto existing = findSeq(database, record.id);
  if (!existing.ok()) return existing.status();
  if (*existing) {
    return Status(ErrorCode::conflict, "an execution with id '" + record.id + "' already exists");
  }
  if (!record.idempotency_key.empty()) {
    auto used_by = findIdByIdempotencyKey(database, record.requester.subject,
                                          record.idempotency_key);
    if (!used_by.ok()) return used_by.status();
    if (*used_by) {
      return Status(ErrorCode::conflict, "idempotency key '" + record.idempotency_key +
                                             "' was already used by requester '" +
                                             record.requester.subject + "' for execution '" +
                                             **used_by + "'");
    }
  }

  auto insert = database.prepare(
      "INSERT INTO executions (id, pack, action, parameters, requester_subject, requester_sans, "
      "status, exit_code, term_signal, error, created_at_ms, started_at_ms, ended_at_ms, pid, "
      "stdout_path, stderr_path, timeout_seconds, idempotency_key, result, peak_memory_bytes, "
      "cpu_time_us, oom_killed, pack_version, pack_source, pack_digest) VALUES (:id, :pack, "
      ":action, :parameters, :requester_subject, :requester_sans, :status, :exit_code, "
      ":term_signal, :error, :created_at_ms, :started_at_ms, :ended_at_ms, :pid, :stdout_path, "
      ":stderr_path, :timeout_seconds, :idempotency_key, :result, :peak_memory_bytes, "
      ":cpu_time_us, :oom_killed, :pack_version, :pack_source, :pack_digest)");
  if (!insert.ok()) return insert.status();
  insert->bind(":id", record.id);
  insert->bind(":pack", record.pack);
  insert->bind(":action", record.action);
  insert->bind(":parameters", parameters);
  insert->bind(":requester_subject", record.requester.subject);
  insert->bind(":requester_sans", sans);
  insert->bind(":status", sdk::toString(record.status));
  insert->bind(":exit_code", record.exit_code);
  insert->bind(":term_signal", record.term_signal);
  insert->bind(":error", record.error);
  insert->bind(":created_at_ms", record.created_at_ms);
  insert->bind(":started_at_ms", record.started_at_ms);
  insert->bind(":ended_at_ms", record.ended_at_ms);
  insert->bind(":pid", record.pid);
  insert->bind(":stdout_path", record.stdout_path);
  insert->bind(":stderr_path", record.stderr_path);
  insert->bind(":timeout_seconds", static_cast<std::int64_t>(record.timeout_seconds));
  insert->bind(":idempotency_key", record.idempotency_key);
  bindOptionalText(*insert, ":result", *result);
  bindUsage(*insert, record.usage);
  // Which copy of the pack ran: written here only, never changed by apply().
  insert->bind(":pack_version", record.pack_version);
  insert->bind(":pack_source", record.pack_source);
  insert->bind(":pack_digest", record.pack_digest);
  if (auto inserted = insert->step(); !inserted.ok()) return inserted.status();

  auto first =
      insertTransition(database, record.id, std::nullopt, record.status, record.created_at_ms, "");
  if (!first.ok()) return first;
  return transaction.commit();
}

// ---- apply --------------------------------------------------------------------------------

Status SqliteExecutionStore::apply(const std::string& id, const sdk::ExecutionUpdate& update) {
  return guardedCall("apply", [&] {
    std::lock_guard lock(mutex_);
    return database_ ? updateExecution(id, update) : notConfigured();
  });
}

Status SqliteExecutionStore::updateExecution(const std::string& id,
                                             const sdk::ExecutionUpdate& update) {
  // Checked before anything is written: a refused result refuses the whole update, status
  // change included, so the caller can retry it without the result.
  std::optional<std::string> result;
  if (update.result) {
    auto encoded = encodeResult(*update.result, max_result_bytes_, id);
    if (!encoded.ok()) return encoded.status();
    result = std::move(encoded).value();
  }

  Database& database = *database_;
  // Progress markers (scheduled, running, canceling) do not wait for the disk even with FULL:
  // after a crash of the host, recovery rebuilds them from the supervisor's files, and the WAL
  // is written in order, so the next synced commit (an end, a new execution) carries them.
  // What a client was told, accepted or ended, is synced. One flush less per execution.
  UnsyncedCommits progress_marker(database, synchronous_full_ && !sdk::isTerminal(update.status));
  Transaction transaction(database);
  if (auto begun = transaction.begin(); !begun.ok()) return begun;

  ExecutionStatus from = ExecutionStatus::requested;
  {
    auto current = database.prepare("SELECT status FROM executions WHERE id = :id");
    if (!current.ok()) return current.status();
    current->bind(":id", id);
    auto row = current->step();
    if (!row.ok()) return row.status();
    if (!*row) return noSuchExecution(id);
    auto status = decodeStatus(current->text(0), id);
    if (!status.ok()) return status.status();
    from = *status;
  }
  if (sdk::isTerminal(from)) {
    return Status(ErrorCode::conflict,
                  "execution '" + id + "' is already " + std::string(sdk::toString(from)) +
                      " and cannot become " + std::string(sdk::toString(update.status)));
  }

  // A NULL parameter keeps the stored value: ExecutionUpdate leaves unset fields alone. The
  // result may be set to NULL (a null result), and a usage replaces all three of its columns,
  // NULL for a count it lacks, so each says whether it is set apart.
  auto change = database.prepare(
      "UPDATE executions SET status = :status, exit_code = COALESCE(:exit_code, exit_code), "
      "term_signal = COALESCE(:term_signal, term_signal), pid = COALESCE(:pid, pid), "
      "started_at_ms = COALESCE(:started_at_ms, started_at_ms), "
      "ended_at_ms = COALESCE(:ended_at_ms, ended_at_ms), error = COALESCE(:error, error), "
      "result = CASE WHEN :set_result THEN :result ELSE result END, "
      "peak_memory_bytes = CASE WHEN :set_usage THEN :peak_memory_bytes "
      "ELSE peak_memory_bytes END, "
      "cpu_time_us = CASE WHEN :set_usage THEN :cpu_time_us ELSE cpu_time_us END, "
      "oom_killed = CASE WHEN :set_usage THEN :oom_killed ELSE oom_killed END WHERE id = :id");
  if (!change.ok()) return change.status();
  change->bind(":status", sdk::toString(update.status));
  change->bind(":exit_code", update.exit_code);
  change->bind(":term_signal", update.term_signal);
  change->bind(":pid", update.pid);
  change->bind(":started_at_ms", update.started_at_ms);
  change->bind(":ended_at_ms", update.ended_at_ms);
  if (reasonIsError(update.status) && !update.reason.empty()) {
    change->bind(":error", update.reason);
  } else {
    change->bindNull(":error");
  }
  change->bind(":set_result", static_cast<std::int64_t>(update.result.has_value()));
  bindOptionalText(*change, ":result", result);
  change->bind(":set_usage", static_cast<std::int64_t>(update.usage.has_value()));
  bindUsage(*change, update.usage);
  change->bind(":id", id);
  if (auto changed = change->step(); !changed.ok()) return changed.status();

  auto recorded = insertTransition(database, id, from, update.status, update.at_ms, update.reason);
  if (!recorded.ok()) return recorded;
  return transaction.commit();
}

// ---- purgeEndedBefore ---------------------------------------------------------------------

StatusOr<std::vector<sdk::ExecutionRecord>> SqliteExecutionStore::purgeEndedBefore(
    std::int64_t ended_before_ms, std::size_t max_count) {
  return guardedCall("purgeEndedBefore", [&]() -> StatusOr<std::vector<sdk::ExecutionRecord>> {
    std::lock_guard lock(mutex_);
    return database_ ? deleteEndedBefore(ended_before_ms, max_count) : notConfigured();
  });
}

StatusOr<std::vector<sdk::ExecutionRecord>> SqliteExecutionStore::deleteEndedBefore(
    std::int64_t ended_before_ms, std::size_t max_count) {
  if (max_count == 0) return std::vector<sdk::ExecutionRecord>();
  Database& database = *database_;
  // One transaction: the rows returned are exactly the rows deleted, and a failure deletes
  // nothing, so the caller never loses track of output files it still has to remove.
  Transaction transaction(database);
  if (auto begun = transaction.begin(); !begun.ok()) return begun;

  std::vector<sdk::ExecutionRecord> purged;
  {
    // Read every candidate before deleting any: the statement resets at the end of the scope.
    auto candidates = database.prepare(purgeCandidatesSql());
    if (!candidates.ok()) return candidates.status();
    candidates->bind(":ended_before_ms", ended_before_ms);
    candidates->bind(":limit", static_cast<std::int64_t>(std::min<std::size_t>(
                                   max_count, std::numeric_limits<std::int64_t>::max())));
    auto found = decodeExecutions(*candidates);
    if (!found.ok()) return found.status();
    purged = std::move(found).value();
  }

  for (const auto& record : purged) {
    // ON DELETE CASCADE removes the execution's transitions (foreign keys are on, see
    // openStoreDatabase).
    auto erase = database.prepare("DELETE FROM executions WHERE id = :id");
    if (!erase.ok()) return erase.status();
    erase->bind(":id", record.id);
    if (auto erased = erase->step(); !erased.ok()) return erased.status();
  }
  if (auto committed = transaction.commit(); !committed.ok()) return committed;
  return purged;
}

// ---- check --------------------------------------------------------------------------------

Status SqliteExecutionStore::check() const {
  return guardedCall("check", [&] {
    std::lock_guard lock(mutex_);
    return database_ ? probeDatabase() : notConfigured();
  });
}

Status SqliteExecutionStore::probeDatabase() const {
  Database& database = *database_;
  const auto failed = [&](const std::string& what, const Status& status) {
    return Status(status.code(), "SQLite database " + path_ + " " + what + ": " + status.message());
  };

  {
    auto read = database.prepare("SELECT max(seq) FROM executions");
    if (!read.ok()) return failed("cannot be read", read.status());
    if (auto row = read->step(); !row.ok()) return failed("cannot be read", row.status());
  }
  // SQLite opens a file it may not write read-only without failing; say so plainly.
  if (sqlite3_db_readonly(database.handle(), "main") == 1) {
    return Status(ErrorCode::unavailable, "SQLite database " + path_ +
                                              " is open read-only (the file or its directory "
                                              "is not writable by rivetd)");
  }
  // Take the write lock as every create()/apply() does, and give it back at once: the
  // destructor rolls back. Waits up to busy_timeout_ms, like a real write would.
  Transaction probe(database);
  if (auto begun = probe.begin(); !begun.ok()) return failed("cannot be written", begun);
  return Status::success();
}


}  // namespace rivet::plugins::storage_sqlite
