#include "schema.hpp"

#include <cstdint>

#include "schema_migrations.hpp"

namespace rivet::plugins::storage_sqlite {

using sdk::ErrorCode;
using sdk::Status;
using sdk::StatusOr;

namespace {

// kMigrations (schema_migrations.hpp) holds the steps; the last one is the newest version.
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
