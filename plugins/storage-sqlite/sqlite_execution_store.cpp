#include "sqlite_execution_store.hpp"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "execution_queries.hpp"
#include "store_config.hpp"
#include "store_database.hpp"

namespace rivet::plugins::storage_sqlite {

using sdk::ErrorCode;
using sdk::ExecutionStatus;
using sdk::Status;
using sdk::StatusOr;

namespace {

// Runs one public call: nothing may throw across the plugin boundary, so any exception (a bad
// allocation, a corrupt JSON column) becomes an internal error naming the call.
template <typename Body>
auto guardedCall(std::string_view call, Body&& body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& error) {
    return Status(ErrorCode::internal, "storage-sqlite " + std::string(call) + ": " + error.what());
  } catch (...) {
    return Status(ErrorCode::internal, "storage-sqlite " + std::string(call) + ": unknown error");
  }
}

Status notConfigured() {
  return Status(ErrorCode::unavailable, "storage-sqlite is used before configure() succeeded");
}

Status noSuchExecution(const std::string& id) {
  return Status(ErrorCode::not_found, "no execution with id '" + id + "'");
}

std::optional<int> narrow(std::optional<std::int64_t> value) {
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

// The seq of execution `id`, empty when there is none.
StatusOr<std::optional<std::int64_t>> findSeq(Database& database, const std::string& id) {
  auto statement = database.prepare("SELECT seq FROM executions WHERE id = :id");
  if (!statement.ok()) return statement.status();
  statement->bind(":id", id);
  auto row = statement->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(statement->integer(0));
}

StatusOr<ExecutionStatus> decodeStatus(const std::string& text, const std::string& id) {
  if (auto status = sdk::parseExecutionStatus(text)) return *status;
  return Status(ErrorCode::internal,
                "execution '" + id + "' has an unknown status '" + text + "' in the database");
}

// Reads the row a statement selecting kExecutionColumns stands on.
StatusOr<sdk::ExecutionRecord> decodeExecution(const Statement& row) {
  sdk::ExecutionRecord record;
  record.id = row.text(0);
  record.pack = row.text(1);
  record.action = row.text(2);
  record.parameters = nlohmann::json::parse(row.text(3));
  record.requester.subject = row.text(4);
  record.requester.sans = nlohmann::json::parse(row.text(5)).get<std::vector<std::string>>();
  auto status = decodeStatus(row.text(6), record.id);
  if (!status.ok()) return status.status();
  record.status = *status;
  record.exit_code = narrow(row.optionalInteger(7));
  record.term_signal = narrow(row.optionalInteger(8));
  record.error = row.text(9);
  record.created_at_ms = row.integer(10);
  record.started_at_ms = row.optionalInteger(11);
  record.ended_at_ms = row.optionalInteger(12);
  record.pid = narrow(row.optionalInteger(13));
  record.stdout_path = row.text(14);
  record.stderr_path = row.text(15);
  record.timeout_seconds = static_cast<int>(row.integer(16));
  record.idempotency_key = row.text(17);
  // NULL: no result (create() and apply() store a null result as NULL).
  if (!row.isNull(18)) record.result = nlohmann::json::parse(row.text(18));
  return record;
}

// Every row a statement selecting kExecutionColumns returns, stepped to its end.
StatusOr<std::vector<sdk::ExecutionRecord>> decodeExecutions(Statement& statement) {
  std::vector<sdk::ExecutionRecord> records;
  while (true) {
    auto row = statement.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto record = decodeExecution(statement);
    if (!record.ok()) return record.status();
    records.push_back(std::move(record).value());
  }
  return records;
}

Status noSuchIdempotencyKey(const std::string& requester_subject, const std::string& key) {
  return Status(ErrorCode::not_found, "requester '" + requester_subject +
                                          "' has no execution with idempotency key '" + key + "'");
}

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

// A byte count as a limit is usually written: "1 MiB", "64 KiB", or "1000 bytes".
std::string describeBytes(std::int64_t bytes) {
  constexpr std::int64_t kKiB = 1024;
  constexpr std::int64_t kMiB = 1024 * kKiB;
  if (bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  if (bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// The text to store in executions.result: empty (NULL) for a null result, else its compact
// JSON. too_large when that text is over `max_bytes`, so one huge result cannot bloat the
// history every list() reads; invalid_argument when it cannot be written as JSON (invalid
// UTF-8 in a string).
StatusOr<std::optional<std::string>> encodeResult(const nlohmann::json& result,
                                                  std::int64_t max_bytes, const std::string& id) {
  if (result.is_null()) return std::optional<std::string>();
  std::string text;
  try {
    text = result.dump();
  } catch (const nlohmann::json::exception& error) {
    return Status(ErrorCode::invalid_argument,
                  "execution '" + id + "': result cannot be stored as JSON: " + error.what());
  }
  if (static_cast<std::uint64_t>(text.size()) > static_cast<std::uint64_t>(max_bytes)) {
    return Status(ErrorCode::too_large, "execution '" + id + "': result of " +
                                            std::to_string(text.size()) + " bytes is over the " +
                                            describeBytes(max_bytes) +
                                            " limit ([storage-sqlite] max_result_bytes)");
  }
  return std::optional<std::string>(std::move(text));
}

void bindOptionalText(Statement& statement, const char* name,
                      const std::optional<std::string>& text) {
  if (text) {
    statement.bind(name, *text);
  } else {
    statement.bindNull(name);
  }
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
      "stdout_path, stderr_path, timeout_seconds, idempotency_key, result) VALUES (:id, :pack, "
      ":action, :parameters, :requester_subject, :requester_sans, :status, :exit_code, "
      ":term_signal, :error, :created_at_ms, :started_at_ms, :ended_at_ms, :pid, :stdout_path, "
      ":stderr_path, :timeout_seconds, :idempotency_key, :result)");
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
  // result may be set to NULL (a null result), so it says whether it is set apart.
  auto change = database.prepare(
      "UPDATE executions SET status = :status, exit_code = COALESCE(:exit_code, exit_code), "
      "term_signal = COALESCE(:term_signal, term_signal), pid = COALESCE(:pid, pid), "
      "started_at_ms = COALESCE(:started_at_ms, started_at_ms), "
      "ended_at_ms = COALESCE(:ended_at_ms, ended_at_ms), error = COALESCE(:error, error), "
      "result = CASE WHEN :set_result THEN :result ELSE result END WHERE id = :id");
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
  change->bind(":id", id);
  if (auto changed = change->step(); !changed.ok()) return changed.status();

  auto recorded = insertTransition(database, id, from, update.status, update.at_ms, update.reason);
  if (!recorded.ok()) return recorded;
  return transaction.commit();
}

// ---- get ----------------------------------------------------------------------------------

StatusOr<sdk::ExecutionRecord> SqliteExecutionStore::get(const std::string& id) const {
  return guardedCall("get", [&]() -> StatusOr<sdk::ExecutionRecord> {
    std::lock_guard lock(mutex_);
    return database_ ? selectExecution(id) : notConfigured();
  });
}

StatusOr<sdk::ExecutionRecord> SqliteExecutionStore::selectExecution(const std::string& id) const {
  auto statement = database_->prepare(std::string("SELECT ") + kExecutionColumns +
                                      " FROM executions WHERE id = :id");
  if (!statement.ok()) return statement.status();
  statement->bind(":id", id);
  auto row = statement->step();
  if (!row.ok()) return row.status();
  if (!*row) return noSuchExecution(id);
  return decodeExecution(*statement);
}

// ---- getByIdempotencyKey -------------------------------------------------------------------

StatusOr<sdk::ExecutionRecord> SqliteExecutionStore::getByIdempotencyKey(
    const std::string& requester_subject, const std::string& key) const {
  return guardedCall("getByIdempotencyKey", [&]() -> StatusOr<sdk::ExecutionRecord> {
    std::lock_guard lock(mutex_);
    return database_ ? selectByIdempotencyKey(requester_subject, key) : notConfigured();
  });
}

StatusOr<sdk::ExecutionRecord> SqliteExecutionStore::selectByIdempotencyKey(
    const std::string& requester_subject, const std::string& key) const {
  // "" means "no key": such executions are never found by it.
  if (key.empty()) return noSuchIdempotencyKey(requester_subject, key);
  auto statement = database_->prepare(executionByIdempotencyKeySql());
  if (!statement.ok()) return statement.status();
  statement->bind(":requester_subject", requester_subject);
  statement->bind(":idempotency_key", key);
  auto row = statement->step();
  if (!row.ok()) return row.status();
  if (!*row) return noSuchIdempotencyKey(requester_subject, key);
  return decodeExecution(*statement);
}

// ---- listUnfinished -----------------------------------------------------------------------

StatusOr<std::vector<sdk::ExecutionRecord>> SqliteExecutionStore::listUnfinished() const {
  return guardedCall("listUnfinished", [&]() -> StatusOr<std::vector<sdk::ExecutionRecord>> {
    std::lock_guard lock(mutex_);
    return database_ ? selectUnfinished() : notConfigured();
  });
}

StatusOr<std::vector<sdk::ExecutionRecord>> SqliteExecutionStore::selectUnfinished() const {
  auto statement = database_->prepare(unfinishedExecutionsSql());
  if (!statement.ok()) return statement.status();
  return decodeExecutions(*statement);
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

// ---- list ---------------------------------------------------------------------------------

StatusOr<sdk::ExecutionPage> SqliteExecutionStore::list(const sdk::ExecutionQuery& query) const {
  return guardedCall("list", [&]() -> StatusOr<sdk::ExecutionPage> {
    std::lock_guard lock(mutex_);
    return database_ ? selectPage(query) : notConfigured();
  });
}

StatusOr<sdk::ExecutionPage> SqliteExecutionStore::selectPage(
    const sdk::ExecutionQuery& query) const {
  if (query.action && !query.pack) {
    return Status(ErrorCode::invalid_argument, "an action filter needs its pack");
  }
  if (query.limit == 0) return Status(ErrorCode::invalid_argument, "limit must be at least 1");

  std::optional<std::int64_t> before_seq;
  if (query.before) {
    auto seq = findSeq(*database_, *query.before);
    if (!seq.ok()) return seq.status();
    if (!*seq) return noSuchExecution(*query.before);
    before_seq = *seq;
  }

  auto statement = database_->prepare(listExecutionsSql(query));
  if (!statement.ok()) return statement.status();
  if (query.pack) statement->bind(":pack", *query.pack);
  if (query.action) statement->bind(":action", *query.action);
  if (query.status) statement->bind(":status", sdk::toString(*query.status));
  if (before_seq) statement->bind(":before_seq", *before_seq);
  // One row more than asked says whether another page follows.
  const auto limit = static_cast<std::int64_t>(
      std::min<std::size_t>(query.limit, std::numeric_limits<std::int64_t>::max() - 1));
  statement->bind(":limit", limit + 1);

  sdk::ExecutionPage page;
  bool more = false;
  while (true) {
    auto row = statement->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<std::int64_t>(page.items.size()) == limit) {
      more = true;
      break;
    }
    auto record = decodeExecution(*statement);
    if (!record.ok()) return record.status();
    page.items.push_back(std::move(record).value());
  }
  if (more) page.next_before = page.items.back().id;
  return page;
}

// ---- transitions --------------------------------------------------------------------------

StatusOr<std::vector<sdk::StatusTransition>> SqliteExecutionStore::transitions(
    const std::string& id) const {
  return guardedCall("transitions", [&]() -> StatusOr<std::vector<sdk::StatusTransition>> {
    std::lock_guard lock(mutex_);
    return database_ ? selectTransitions(id) : notConfigured();
  });
}

StatusOr<std::vector<sdk::StatusTransition>> SqliteExecutionStore::selectTransitions(
    const std::string& id) const {
  auto statement = database_->prepare(
      "SELECT from_status, to_status, at_ms, reason FROM execution_transitions "
      "WHERE execution_id = :id ORDER BY seq");
  if (!statement.ok()) return statement.status();
  statement->bind(":id", id);

  std::vector<sdk::StatusTransition> found;
  while (true) {
    auto row = statement->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    sdk::StatusTransition transition;
    if (!statement->isNull(0)) {
      auto from = decodeStatus(statement->text(0), id);
      if (!from.ok()) return from.status();
      transition.from = *from;
    }
    auto to = decodeStatus(statement->text(1), id);
    if (!to.ok()) return to.status();
    transition.to = *to;
    transition.at_ms = statement->integer(2);
    transition.reason = statement->text(3);
    found.push_back(std::move(transition));
  }
  // create() always writes a first transition, so none means no such execution.
  if (found.empty()) return noSuchExecution(id);
  return found;
}

}  // namespace rivet::plugins::storage_sqlite
