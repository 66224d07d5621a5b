#include "store_database.hpp"

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "schema.hpp"

namespace rivet::plugins::storage_sqlite {

using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

namespace {

// SQLite answers the journal_mode pragma with the mode now in effect, and keeps the old mode
// when it cannot switch (an in-memory database, some network file systems).
Status switchToWal(Database& database) {
  auto journal = database.prepare("PRAGMA journal_mode = WAL");
  if (!journal.ok()) return journal.status();
  auto row = journal->step();
  if (!row.ok()) return row.status();
  if (std::string mode = journal->text(0); mode != "wal") {
    return Status(ErrorCode::unavailable, "cannot use WAL (journal_mode stays '" + mode +
                                              "'); put the file on a local file system");
  }
  return Status::success();
}

// PRAGMA foreign_keys = ON is silently ignored by a SQLite built without foreign keys, and
// purging relies on ON DELETE CASCADE to remove an execution's transitions: read it back.
Status requireForeignKeys(Database& database) {
  auto pragma = database.prepare("PRAGMA foreign_keys");
  if (!pragma.ok()) return pragma.status();
  auto row = pragma->step();
  if (!row.ok()) return row.status();
  if (!*row || pragma->integer(0) != 1) {
    return Status(ErrorCode::unavailable,
                  "foreign keys stay off (this SQLite lacks them); purging needs ON DELETE "
                  "CASCADE");
  }
  return Status::success();
}

}  // namespace

StatusOr<std::unique_ptr<Database>> openStoreDatabase(const StoreConfig& config,
                                                      sdk::Logger& logger) {
  const std::string& path = config.path;
  const auto onPath = [&](const Status& status) {
    return Status(status.code(), "SQLite database " + path + ": " + status.message());
  };

  const auto directory = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (!directory.empty()) std::filesystem::create_directories(directory, error);
  if (error) {
    return Status(ErrorCode::unavailable, "cannot create directory " + directory.string() +
                                              " for SQLite database " + path + ": " +
                                              error.message());
  }

  auto database = Database::open(path);
  if (!database.ok()) return database.status();
  Database& opened = **database;

  // Set first: switching to WAL already takes a lock another process may hold.
  sqlite3_busy_timeout(opened.handle(), config.busy_timeout_ms);
  if (auto wal = switchToWal(opened); !wal.ok()) return onPath(wal);
  // All are per connection, so they are set on every open. temp_store: every write tests the
  // partial indexes' `status IN (...)` against a temporary b-tree of the list. As a file
  // b-tree (the default) each one got ~90 KiB of page cache from malloc, which glibc handed
  // back to the kernel at the statement's end and faulted in again at the next: ~40% of a
  // write's CPU time. In memory each takes one page.
  for (const std::string& pragma :
       {"PRAGMA synchronous = " + config.synchronous, std::string("PRAGMA foreign_keys = ON"),
        std::string("PRAGMA temp_store = MEMORY")}) {
    if (auto set = opened.execute(pragma); !set.ok()) return onPath(set);
  }
  if (auto foreign_keys = requireForeignKeys(opened); !foreign_keys.ok()) {
    return onPath(foreign_keys);
  }
  if (auto migrated = migrateSchema(opened, path, logger); !migrated.ok()) {
    return onPath(migrated);
  }
  return std::move(*database);
}

}  // namespace rivet::plugins::storage_sqlite
