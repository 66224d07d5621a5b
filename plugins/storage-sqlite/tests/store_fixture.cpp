#include "store_fixture.hpp"

#include <fstream>
#include <stdexcept>
#include <utility>

#include "schema_migrations.hpp"

namespace rivet::plugins::storage_sqlite::testing {

std::unique_ptr<LoadedStore> loadStore() {
  auto loaded = std::make_unique<LoadedStore>();
  loaded->library = rivet::test::PluginHandle(RIVET_PLUGIN_DIR "/storage-sqlite.so");
  loaded->descriptor = &loaded->library.descriptor();
  loaded->store = loaded->library.create<sdk::ExecutionStore>();
  return loaded;
}

SqliteFile::SqliteFile(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &handle_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string message = sqlite3_errmsg(handle_);
    sqlite3_close(handle_);
    throw std::runtime_error("cannot open " + path + ": " + message);
  }
}

SqliteFile::~SqliteFile() { sqlite3_close(handle_); }

void SqliteFile::execute(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(handle_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("`" + sql + "`: " + message);
  }
}

std::vector<std::string> SqliteFile::column(const std::string& sql, int column) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(handle_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    throw std::runtime_error("`" + sql + "`: " + sqlite3_errmsg(handle_));
  }
  std::vector<std::string> values;
  int result_code = SQLITE_ROW;
  while ((result_code = sqlite3_step(statement)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
    values.emplace_back(text != nullptr ? text : "");
  }
  sqlite3_finalize(statement);
  if (result_code != SQLITE_DONE) {
    throw std::runtime_error("`" + sql + "`: " + sqlite3_errstr(result_code));
  }
  return values;
}

void writeSchemaAtVersion(const std::string& path, std::size_t version) {
  std::ofstream(path).flush();  // an empty file is an empty database
  std::string sql = "BEGIN;";
  for (std::size_t step = 0; step < version; ++step) sql += kMigrations.at(step);
  SqliteFile(path).execute(sql + "PRAGMA user_version = " + std::to_string(version) +
                           "; COMMIT;");
}

void writeOldTransitions(SqliteFile& file, const std::string& prefix) {
  const std::string done = "'" + prefix + "-done'";
  const std::string running = "'" + prefix + "-running'";
  file.execute(
      "INSERT INTO execution_transitions (execution_id, seq, from_status, to_status, at_ms, "
      "reason) VALUES (" + done + ", 1, NULL, 'requested', 100, ''), (" + done +
      ", 2, 'requested', 'succeeded', 200, 'exited'), (" + running +
      ", 1, NULL, 'running', 150, '')");
}

sdk::ExecutionRecord readOldDoneExecution(sdk::ExecutionStore& store, const std::string& prefix) {
  const std::string id = prefix + "-done";
  auto done = store.get(id);
  if (!done.ok()) throw std::runtime_error("get('" + id + "'): " + done.status().message());
  EXPECT_EQ(done->status, sdk::ExecutionStatus::succeeded);
  EXPECT_EQ(done->parameters, nlohmann::json({{"verbose", true}}));
  EXPECT_EQ(done->requester.subject, "CN=alice");
  EXPECT_EQ(done->requester.sans, (std::vector<std::string>{"DNS:ops"}));
  EXPECT_EQ(done->exit_code, 0);
  EXPECT_EQ(done->created_at_ms, 100);
  EXPECT_EQ(done->ended_at_ms, 200);
  EXPECT_EQ(done->pid, 4242);
  EXPECT_EQ(done->stdout_path, "/out/" + id + ".stdout");
  EXPECT_EQ(done->stderr_path, "/out/" + id + ".stderr");
  auto transitions = store.transitions(id);
  EXPECT_TRUE(transitions.ok() && transitions->size() == 2u) << id;
  return std::move(done).value();
}

std::vector<std::string> schemaOf(const std::string& path) {
  return SqliteFile(path).column(
      "SELECT type || ' ' || name || ': ' || sql FROM sqlite_master WHERE sql IS NOT NULL "
      "ORDER BY name");
}

std::unique_ptr<LoadedStore> StoreTest::openStore(
    const std::map<std::string, std::string>& config) {
  auto loaded = loadStore();
  auto status = configureStore(*loaded, config);
  if (!status.ok()) throw std::runtime_error("configure failed: " + status.message());
  return loaded;
}

std::unique_ptr<LoadedStore> StoreTest::openUpgradedStore(std::size_t from_version) {
  EXPECT_EQ(SqliteFile(databasePath()).scalar("PRAGMA user_version"),
            std::to_string(from_version));
  auto loaded = openStore();
  EXPECT_EQ(SqliteFile(databasePath()).scalar("PRAGMA user_version"),
            std::to_string(kMigrations.size()));
  const std::string migrated = "to schema version ";
  EXPECT_EQ(logger_.count(sdk::LogLevel::info, migrated + std::to_string(from_version + 1)), 1);
  EXPECT_EQ(logger_.count(sdk::LogLevel::info, migrated + std::to_string(from_version)), 0);
  return loaded;
}

sdk::Status StoreTest::configureStore(LoadedStore& loaded,
                                      const std::map<std::string, std::string>& config) {
  sdk::PluginContext context;
  context.data_dir = dir_.str();
  context.config = config;
  context.logger = &logger_;
  return loaded.store->configure(context);
}

sdk::ExecutionRecord makeRecord(const std::string& id, const std::string& pack,
                                const std::string& action, std::int64_t created_at_ms) {
  sdk::ExecutionRecord record;
  record.id = id;
  record.pack = pack;
  record.action = action;
  record.parameters = {{"path", "/var"}, {"depth", 2}, {"human", true}, {"tags", {"a", "b"}}};
  record.requester.subject = "CN=alice,O=ops";
  record.requester.sans = {"DNS:ops-bastion", "IP:10.0.0.7"};
  record.status = sdk::ExecutionStatus::requested;
  record.created_at_ms = created_at_ms;
  record.stdout_path = "/var/lib/rivet/output/" + id + ".stdout";
  record.stderr_path = "/var/lib/rivet/output/" + id + ".stderr";
  return record;
}

sdk::ExecutionUpdate ending(sdk::ExecutionStatus status, std::int64_t at_ms) {
  sdk::ExecutionUpdate update;
  update.status = status;
  update.at_ms = at_ms;
  update.ended_at_ms = at_ms;
  return update;
}

std::vector<std::string> idsOf(const sdk::ExecutionPage& page) {
  std::vector<std::string> ids;
  for (const auto& record : page.items) ids.push_back(record.id);
  return ids;
}

}  // namespace rivet::plugins::storage_sqlite::testing
