// The read calls of SqliteExecutionStore: get, getByIdempotencyKey, listUnfinished, list and
// transitions.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "execution_queries.hpp"
#include "execution_rows.hpp"
#include "sqlite_execution_store.hpp"
#include "store_call.hpp"

namespace rivet::plugins::storage_sqlite {

using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

namespace {

Status noSuchIdempotencyKey(const std::string& requester_subject, const std::string& key) {
  return Status(ErrorCode::not_found, "requester '" + requester_subject +
                                          "' has no execution with idempotency key '" + key + "'");
}

}  // namespace

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
