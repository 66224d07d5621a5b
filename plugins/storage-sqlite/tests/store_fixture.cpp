#include "store_fixture.hpp"

#include <stdexcept>

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

std::unique_ptr<LoadedStore> StoreTest::openStore(
    const std::map<std::string, std::string>& config) {
  auto loaded = loadStore();
  auto status = configureStore(*loaded, config);
  if (!status.ok()) throw std::runtime_error("configure failed: " + status.message());
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

std::vector<std::string> idsOf(const sdk::ExecutionPage& page) {
  std::vector<std::string> ids;
  for (const auto& record : page.items) ids.push_back(record.id);
  return ids;
}

}  // namespace rivet::plugins::storage_sqlite::testing
