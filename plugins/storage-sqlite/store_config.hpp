// The plugin's config keys ([storage-sqlite] section) and their validation.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "rivet/sdk/plugin.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::plugins::storage_sqlite {

inline constexpr std::array<sdk::ConfigKeySpec, 4> kConfigKeys{{
    {"path", "path", "",
     "SQLite database file; empty means <data_dir>/rivet.db, a relative path is under "
     "data_dir. Its directory is created if missing"},
    {"synchronous", "string", "FULL",
     "NORMAL or FULL. FULL syncs every commit of a new execution or an end, so an accepted "
     "(202) execution survives a power loss; NORMAL may lose the last commits on power loss but "
     "is ~20x faster"},
    {"busy_timeout_ms", "integer", "5000",
     "how long a write waits for a lock held by another process before failing as unavailable"},
    {"max_result_bytes", "bytes", "1048576",
     "largest structured result (its JSON text) an execution may store; a larger one is "
     "refused as too_large"},
}};

struct StoreConfig {
  std::string path;         // absolute unless data_dir was relative
  std::string synchronous;  // "NORMAL" or "FULL"
  int busy_timeout_ms = 0;
  std::int64_t max_result_bytes = 0;  // >= 1
};

// Reads the plugin's section; a key the host did not fill in takes its default from
// kConfigKeys. invalid_argument names the key and the value it refused.
sdk::StatusOr<StoreConfig> parseStoreConfig(const sdk::PluginContext& context);

}  // namespace rivet::plugins::storage_sqlite
