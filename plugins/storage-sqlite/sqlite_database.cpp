#include "sqlite_database.hpp"

#include <utility>

namespace rivet::plugins::storage_sqlite {

using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

Status sqliteError(sqlite3* db, int result_code, std::string_view what) {
  std::string message(what);
  message += ": ";
  // sqlite3_errmsg describes the connection's latest failure, which is this one; without a
  // connection only the generic text for the code is available.
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result_code);
  const int primary_code = result_code & 0xff;
  if (primary_code == SQLITE_BUSY || primary_code == SQLITE_LOCKED) {
    return Status(ErrorCode::unavailable,
                  message + " (another connection held the lock past busy_timeout_ms)");
  }
  return Status(ErrorCode::internal, std::move(message));
}

// ---- Statement ----------------------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)),
      bind_error_(std::move(other.bind_error_)) {}

Statement::~Statement() {
  if (statement_ == nullptr) return;
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

int Statement::parameterIndex(const char* name) {
  const int index = sqlite3_bind_parameter_index(statement_, name);
  if (index == 0) keepFirstBindError(SQLITE_RANGE, name);
  return index;
}

void Statement::keepFirstBindError(int result_code, const char* name) {
  if (result_code == SQLITE_OK || !bind_error_.ok()) return;
  bind_error_ = Status(ErrorCode::internal, std::string("cannot bind ") + name + " in `" +
                                                sqlite3_sql(statement_) +
                                                "`: " + sqlite3_errstr(result_code));
}

void Statement::bind(const char* name, std::string_view text) {
  const int index = parameterIndex(name);
  if (index == 0) return;
  keepFirstBindError(sqlite3_bind_text64(statement_, index, text.data(), text.size(),
                                         SQLITE_TRANSIENT, SQLITE_UTF8),
                     name);
}

void Statement::bind(const char* name, std::int64_t value) {
  const int index = parameterIndex(name);
  if (index == 0) return;
  keepFirstBindError(sqlite3_bind_int64(statement_, index, value), name);
}

void Statement::bind(const char* name, std::optional<std::int64_t> value) {
  if (value) {
    bind(name, *value);
  } else {
    bindNull(name);
  }
}

void Statement::bindNull(const char* name) {
  const int index = parameterIndex(name);
  if (index == 0) return;
  keepFirstBindError(sqlite3_bind_null(statement_, index), name);
}

StatusOr<bool> Statement::step() {
  if (!bind_error_.ok()) return bind_error_;
  const int result_code = sqlite3_step(statement_);
  if (result_code == SQLITE_ROW) return true;
  if (result_code == SQLITE_DONE) return false;
  return sqliteError(sqlite3_db_handle(statement_), result_code,
                     std::string("`") + sqlite3_sql(statement_) + "` failed");
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::optional<std::int64_t> Statement::optionalInteger(int column) const {
  if (isNull(column)) return std::nullopt;
  return integer(column);
}

// ---- Database -----------------------------------------------------------------------------

StatusOr<std::unique_ptr<Database>> Database::open(const std::string& path) {
  sqlite3* handle = nullptr;
  // NOMUTEX: the store already serialises every call on its one connection.
  const int result_code =
      sqlite3_open_v2(path.c_str(), &handle,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  // Wrap first so the handle is closed on every path, including a failed open.
  std::unique_ptr<Database> database(new Database(handle));
  if (result_code != SQLITE_OK) {
    return sqliteError(handle, result_code, "cannot open SQLite database " + path);
  }
  sqlite3_extended_result_codes(handle, 1);
  return database;
}

Database::~Database() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close(handle_);
}

Status Database::execute(const std::string& sql) {
  const int result_code = sqlite3_exec(handle_, sql.c_str(), nullptr, nullptr, nullptr);
  if (result_code != SQLITE_OK) return sqliteError(handle_, result_code, "`" + sql + "` failed");
  return Status::success();
}

StatusOr<Statement> Database::prepare(const std::string& sql) {
  auto cached = statements_.find(sql);
  if (cached == statements_.end()) {
    sqlite3_stmt* statement = nullptr;
    const int result_code = sqlite3_prepare_v3(handle_, sql.c_str(), static_cast<int>(sql.size()),
                                               SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (result_code != SQLITE_OK) {
      return sqliteError(handle_, result_code, "cannot prepare `" + sql + "`");
    }
    cached = statements_.emplace(sql, statement).first;
  }
  return Statement(cached->second);
}

// ---- Transaction --------------------------------------------------------------------------

Transaction::~Transaction() {
  // After some I/O errors SQLite has already rolled back on its own; autocommit mode tells.
  if (open_ && sqlite3_get_autocommit(database_.handle()) == 0) {
    sqlite3_exec(database_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

namespace {

// BEGIN and COMMIT as cached statements: every write runs both, and execute() would parse them
// each time.
Status runCached(Database& database, const std::string& sql) {
  auto statement = database.prepare(sql);
  if (!statement.ok()) return statement.status();
  auto done = statement->step();
  return done.ok() ? Status::success() : done.status();
}

}  // namespace

Status Transaction::begin() {
  auto status = runCached(database_, "BEGIN IMMEDIATE");
  open_ = status.ok();
  return status;
}

Status Transaction::commit() {
  auto status = runCached(database_, "COMMIT");
  if (status.ok()) open_ = false;
  return status;
}

}  // namespace rivet::plugins::storage_sqlite
