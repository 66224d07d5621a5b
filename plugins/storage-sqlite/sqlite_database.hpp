// A thin RAII layer over the SQLite3 C API: one connection with its cache of prepared
// statements, a borrowed statement that resets itself, and a write transaction that rolls
// back unless committed. Not thread-safe: the store serialises every use behind one mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rivet/sdk/status.hpp"

namespace rivet::plugins::storage_sqlite {

// The Status of a failed SQLite call. A lock still held by another connection after the busy
// timeout becomes `unavailable` (the caller may retry); anything else is `internal`.
sdk::Status sqliteError(sqlite3* db, int result_code, std::string_view what);

// A cached prepared statement lent to one caller. Bind errors are kept and reported by the
// next step(), so call sites read as a plain list of binds.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* statement) noexcept : statement_(statement) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  // Resets the statement and clears its bindings so the cache can lend it again, and so a
  // half-read SELECT does not keep a read transaction open.
  ~Statement();

  // Names include their prefix, e.g. ":id". An unknown name is a bind error.
  void bind(const char* name, std::string_view text);
  void bind(const char* name, std::int64_t value);
  void bind(const char* name, std::optional<std::int64_t> value);  // empty binds NULL
  void bindNull(const char* name);

  // true: a row is ready to read; false: the statement is done.
  sdk::StatusOr<bool> step();

  bool isNull(int column) const;
  std::string text(int column) const;
  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optionalInteger(int column) const;

 private:
  int parameterIndex(const char* name);
  void keepFirstBindError(int result_code, const char* name);

  sqlite3_stmt* statement_;
  sdk::Status bind_error_;  // ok until a bind fails
};

class Database {
 public:
  // Opens (creating if missing) the database file in read-write mode.
  static sdk::StatusOr<std::unique_ptr<Database>> open(const std::string& path);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  sqlite3* handle() const { return handle_; }

  // Runs SQL that returns no rows we need (DDL, BEGIN/COMMIT, PRAGMA writes).
  sdk::Status execute(const std::string& sql);

  // Lends the cached prepared statement for `sql`, preparing it on first use.
  sdk::StatusOr<Statement> prepare(const std::string& sql);

 private:
  explicit Database(sqlite3* handle) noexcept : handle_(handle) {}

  sqlite3* handle_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// BEGIN IMMEDIATE takes the write lock up front, so a read-then-write transaction can never
// fail halfway with SQLITE_BUSY; waiting for the lock is bounded by the busy timeout.
class Transaction {
 public:
  explicit Transaction(Database& database) noexcept : database_(database) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  sdk::Status begin();
  sdk::Status commit();

 private:
  Database& database_;
  bool open_ = false;
};

}  // namespace rivet::plugins::storage_sqlite
