#include "store_config.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>

#include "rivet/sdk/config_reader.hpp"

namespace rivet::plugins::storage_sqlite {

sdk::StatusOr<StoreConfig> parseStoreConfig(const sdk::PluginContext& context) {
  const sdk::ConfigReader reader("storage-sqlite", context.config, kConfigKeys);
  StoreConfig config;

  const std::string path = reader.text("path");
  // WAL needs a real file; SQLite would quietly keep an in-memory database in its old mode.
  if (path == ":memory:") {
    return reader.invalid("path", "a file path (an in-memory database cannot use WAL)");
  }
  config.path = (std::filesystem::path(context.data_dir) / (path.empty() ? "rivet.db" : path))
                    .string();

  std::string synchronous = reader.text("synchronous");
  std::transform(synchronous.begin(), synchronous.end(), synchronous.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (synchronous != "NORMAL" && synchronous != "FULL") {
    return reader.invalid("synchronous", "NORMAL or FULL");
  }
  config.synchronous = synchronous;

  const auto busy_timeout_ms =
      reader.integer("busy_timeout_ms", 0, std::numeric_limits<int>::max());
  if (!busy_timeout_ms.ok()) return busy_timeout_ms.status();
  config.busy_timeout_ms = static_cast<int>(*busy_timeout_ms);

  const auto max_result_bytes =
      reader.bytes("max_result_bytes", 1, std::numeric_limits<std::int64_t>::max());
  if (!max_result_bytes.ok()) return max_result_bytes.status();
  config.max_result_bytes = static_cast<std::int64_t>(*max_result_bytes);
  return config;
}

}  // namespace rivet::plugins::storage_sqlite
