// What every storage-sqlite test needs: the plugin loaded from its .so, a fresh directory,
// a logger, and a direct sqlite3 connection to look at the file behind the plugin's back.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rivet/sdk/storage.hpp"
#include "rivet/test/plugin_handle.hpp"
#include "rivet/test/recording_logger.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::plugins::storage_sqlite::testing {

using rivet::test::RecordingLogger;
using rivet::test::TempDir;

// The plugin library and one store it made. The store holds the library until it is deleted.
struct LoadedStore {
  rivet::test::PluginHandle library;
  const sdk::PluginDescriptor* descriptor = nullptr;
  std::shared_ptr<sdk::ExecutionStore> store;
};

// Loads storage-sqlite.so from the build tree and makes a store, not yet configured. Throws
// (failing the test) when the library, its aliases or the factory misbehave.
std::unique_ptr<LoadedStore> loadStore();

// A direct connection to a database file, for checks the plugin's interface cannot express.
class SqliteFile {
 public:
  explicit SqliteFile(const std::string& path);
  SqliteFile(const SqliteFile&) = delete;
  SqliteFile& operator=(const SqliteFile&) = delete;
  ~SqliteFile();

  void execute(const std::string& sql);
  // Column `column` of every row `sql` returns, as text.
  std::vector<std::string> column(const std::string& sql, int column = 0);
  std::string scalar(const std::string& sql) { return column(sql).at(0); }

 private:
  sqlite3* handle_ = nullptr;
};

class StoreTest : public ::testing::Test {
 protected:
  // Loads a store and configures it on dir_ with `config` (defaults for keys left out).
  std::unique_ptr<LoadedStore> openStore(const std::map<std::string, std::string>& config = {});
  // Same, but hands back the configure() Status instead of asserting it is ok.
  sdk::Status configureStore(LoadedStore& loaded, const std::map<std::string, std::string>& config);

  std::string databasePath() const { return dir_.child("rivet.db"); }

  TempDir dir_{"storage-sqlite-test"};
  RecordingLogger logger_;
};

// A requested execution with its identity fields set, distinct per id.
sdk::ExecutionRecord makeRecord(const std::string& id, const std::string& pack = "linux",
                                const std::string& action = "disk_usage",
                                std::int64_t created_at_ms = 1'700'000'000'000);

std::vector<std::string> idsOf(const sdk::ExecutionPage& page);

}  // namespace rivet::plugins::storage_sqlite::testing
