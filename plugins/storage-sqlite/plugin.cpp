// Exports storage-sqlite to the host: its descriptor and factory.
#include "rivet/sdk/plugin.hpp"

#include "sqlite_execution_store.hpp"
#include "store_config.hpp"

using rivet::plugins::storage_sqlite::kConfigKeys;

RIVET_PLUGIN(rivet::plugins::storage_sqlite::SqliteExecutionStore, rivet::sdk::PluginKind::storage,
             "storage-sqlite", "0.1.0", kConfigKeys)
