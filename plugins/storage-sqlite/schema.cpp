#include "schema.hpp"

#include <array>
#include <cstdint>

namespace rivet::plugins::storage_sqlite {

using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

namespace {

// Migration N (1-based) takes the schema from version N-1 to N. Append only: never edit a
// step that has shipped, since databases in the field already ran it.
constexpr std::array<const char*, 1> kMigrations{
    // 1: executions and their status transitions.
    // seq is the rowid: it orders history (newest first) and backs the list cursor.
    // AUTOINCREMENT keeps it from reusing the number of a purged newest row.
    // Each index ends in seq so a filtered list reads newest-first straight from the index,
    // stopping after `limit` rows instead of sorting every match.
    R"sql(
CREATE TABLE executions (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  id                TEXT    NOT NULL UNIQUE,
  pack              TEXT    NOT NULL,
  action            TEXT    NOT NULL,
  parameters        TEXT    NOT NULL,
  requester_subject TEXT    NOT NULL,
  requester_sans    TEXT    NOT NULL,
  status            TEXT    NOT NULL,
  exit_code         INTEGER,
  term_signal       INTEGER,
  error             TEXT    NOT NULL DEFAULT '',
  created_at_ms     INTEGER NOT NULL,
  started_at_ms     INTEGER,
  ended_at_ms       INTEGER,
  pid               INTEGER,
  stdout_path       TEXT    NOT NULL DEFAULT '',
  stderr_path       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX executions_by_action ON executions (pack, action, seq);
CREATE INDEX executions_by_pack ON executions (pack, seq);
CREATE INDEX executions_by_status ON executions (status, seq);
CREATE TABLE execution_transitions (
  execution_id TEXT    NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  seq          INTEGER NOT NULL,
  from_status  TEXT,
  to_status    TEXT    NOT NULL,
  at_ms        INTEGER NOT NULL,
  reason       TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (execution_id, seq)
) WITHOUT ROWID;
)sql",
};

constexpr std::int64_t kSchemaVersion = kMigrations.size();

StatusOr<std::int64_t> schemaVersion(Database& database) {
  auto statement = database.prepare("PRAGMA user_version");
  if (!statement.ok()) return statement.status();
  auto row = statement->step();
  if (!row.ok()) return row.status();
  return statement->integer(0);
}

Status refuseIfNewer(std::int64_t version) {
  if (version <= kSchemaVersion) return Status::success();
  return Status(ErrorCode::unavailable,
                "schema version " + std::to_string(version) + ", newer than version " +
                    std::to_string(kSchemaVersion) +
                    ", the newest this storage-sqlite knows; it was written by a newer rivetd. "
                    "Upgrade rivetd or point [storage-sqlite] path elsewhere");
}

}  // namespace

Status migrateSchema(Database& database, const std::string& path, sdk::Logger& logger) {
  auto version = schemaVersion(database);
  if (!version.ok()) return version.status();
  if (auto refused = refuseIfNewer(*version); !refused.ok()) return refused;

  for (std::int64_t target = *version + 1; target <= kSchemaVersion; ++target) {
    Transaction transaction(database);
    if (auto begun = transaction.begin(); !begun.ok()) return begun;
    // Another process may have migrated while we waited for the write lock.
    auto current = schemaVersion(database);
    if (!current.ok()) return current.status();
    if (auto refused = refuseIfNewer(*current); !refused.ok()) return refused;
    if (*current >= target) continue;

    if (auto applied = database.execute(kMigrations[target - 1]); !applied.ok()) {
      return Status(applied.code(), "schema migration to version " + std::to_string(target) + ": " +
                                        applied.message());
    }
    // user_version lives in the database header, so it commits or rolls back with the step.
    auto stamped = database.execute("PRAGMA user_version = " + std::to_string(target));
    if (!stamped.ok()) return stamped;
    if (auto committed = transaction.commit(); !committed.ok()) return committed;
    logger.log(sdk::LogLevel::info,
               "storage-sqlite: migrated " + path + " to schema version " + std::to_string(target));
  }
  return Status::success();
}

}  // namespace rivet::plugins::storage_sqlite
