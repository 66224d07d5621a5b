// Opening the store's database: the file, the connection settings and the schema.
#pragma once

#include <memory>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"
#include "sqlite_database.hpp"
#include "store_config.hpp"

namespace rivet::plugins::storage_sqlite {

// Creates the file's directory if missing, opens the file, switches it to WAL (and checks it
// really is in WAL), sets synchronous, foreign keys and the busy timeout on the connection,
// and migrates the schema. Every failure names the file.
sdk::StatusOr<std::unique_ptr<Database>> openStoreDatabase(const StoreConfig& config,
                                                           sdk::Logger& logger);

}  // namespace rivet::plugins::storage_sqlite
