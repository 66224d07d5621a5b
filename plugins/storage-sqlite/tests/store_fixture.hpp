// What every storage-sqlite test needs: the plugin loaded from its .so, a fresh directory,
// a logger, and a direct sqlite3 connection to look at the file behind the plugin's back.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstddef>
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

// Makes `path` a new database at schema `version`: the first `version` steps of kMigrations,
// exactly as they shipped, in one transaction with the user_version. A migration test then
// writes rows into it the way the plugin of that version did.
void writeSchemaAtVersion(const std::string& path, std::size_t version);

// The transitions every version of the plugin wrote for the executions '<prefix>-done'
// (requested at 100, succeeded at 200) and '<prefix>-running' (created running at 150), which
// a migration test writes next to them: execution_transitions is as schema version 1 made it.
void writeOldTransitions(SqliteFile& file, const std::string& prefix);

// '<prefix>-done', as every migration test writes it, read back through `store` after the
// upgrade, with the fields it has had since schema version 1 checked: succeeded at 200 with
// exit code 0, its parameters, SANs, pid, output paths and its two transitions. Throws
// (failing the test) when it cannot be read.
sdk::ExecutionRecord readOldDoneExecution(sdk::ExecutionStore& store, const std::string& prefix);

// Every table and index of the database at `path`, as SQL text, by name: equal for two files
// exactly when their schemas are.
std::vector<std::string> schemaOf(const std::string& path);

class StoreTest : public ::testing::Test {
 protected:
  // Loads a store and configures it on dir_ with `config` (defaults for keys left out).
  std::unique_ptr<LoadedStore> openStore(const std::map<std::string, std::string>& config = {});
  // Same, but hands back the configure() Status instead of asserting it is ok.
  sdk::Status configureStore(LoadedStore& loaded, const std::map<std::string, std::string>& config);

  std::string databasePath() const { return dir_.child("rivet.db"); }

  // Opens the store on the database at databasePath(), written at schema `from_version`, and
  // checks that the plugin upgraded it in place to the newest version, starting with the step
  // after `from_version`.
  std::unique_ptr<LoadedStore> openUpgradedStore(std::size_t from_version);

  TempDir dir_{"storage-sqlite-test"};
  RecordingLogger logger_;
};

// A requested execution with its identity fields set, distinct per id.
sdk::ExecutionRecord makeRecord(const std::string& id, const std::string& pack = "linux",
                                const std::string& action = "disk_usage",
                                std::int64_t created_at_ms = 1'700'000'000'000);

std::vector<std::string> idsOf(const sdk::ExecutionPage& page);

// The update that ends an execution in `status` at `at_ms`, with nothing else set.
sdk::ExecutionUpdate ending(sdk::ExecutionStatus status, std::int64_t at_ms);

}  // namespace rivet::plugins::storage_sqlite::testing
