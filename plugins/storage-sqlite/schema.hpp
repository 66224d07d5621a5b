// The database schema and its migrations. The schema version lives in PRAGMA user_version.
#pragma once

#include <string>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"
#include "sqlite_database.hpp"

namespace rivet::plugins::storage_sqlite {

// Brings the database up to the newest schema this plugin knows, one migration per
// transaction, so a crash leaves it at some whole version. Safe to run on every open and from
// two processes at once. Refuses a database written by a newer plugin: its meaning is unknown.
// `path` only names the file in log lines.
sdk::Status migrateSchema(Database& database, const std::string& path, sdk::Logger& logger);

}  // namespace rivet::plugins::storage_sqlite
