// What every storage-sqlite test needs: the plugin loaded from its .so, a fresh directory,
// a logger, and a direct sqlite3 connection to look at the file behind the plugin's back.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/dll/shared_library.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>  // before Boost.DLL: its 1.74 headers use std::vector without including it

#include "rivet/sdk/storage.hpp"

namespace rivet::plugins::storage_sqlite::testing {

// A directory made by mkdtemp, removed with its contents at the end of the test.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class RecordingLogger : public sdk::Logger {
 public:
  void log(sdk::LogLevel level, std::string_view message) override;
  std::vector<std::string> lines() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// The plugin library and one store it made. Members are destroyed in reverse order, so the
// store goes before the code it runs on is unmapped.
struct LoadedStore {
  boost::dll::shared_library library;
  const sdk::PluginDescriptor* descriptor = nullptr;
  std::unique_ptr<sdk::ExecutionStore> store;
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

  std::string databasePath() const { return dir_.path() + "/rivet.db"; }

  TempDir dir_;
  RecordingLogger logger_;
};

// A requested execution with its identity fields set, distinct per id.
sdk::ExecutionRecord makeRecord(const std::string& id, const std::string& pack = "linux",
                                const std::string& action = "disk_usage",
                                std::int64_t created_at_ms = 1'700'000'000'000);

std::vector<std::string> idsOf(const sdk::ExecutionPage& page);

}  // namespace rivet::plugins::storage_sqlite::testing
