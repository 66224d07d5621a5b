// What storage-sqlite does with the file itself: where it lives, WAL, the schema version,
// locks held by other processes, and query plans on a large history.
#include <filesystem>
#include <fstream>

#include "execution_queries.hpp"
#include "store_fixture.hpp"

namespace rivet::plugins::storage_sqlite::testing {
namespace {

using sdk::ErrorCode;
using sdk::ExecutionQuery;
using sdk::ExecutionStatus;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(StoreTest, DefaultPathIsRivetDbInTheDataDir) {
  auto loaded = openStore();
  ASSERT_TRUE(loaded->store->create(makeRecord("e1")).ok());
  EXPECT_TRUE(std::filesystem::exists(databasePath()));
}

TEST_F(StoreTest, ARelativePathIsUnderTheDataDirAndItsDirectoryIsCreated) {
  auto loaded = openStore({{"path", "history/nested/executions.db"}});
  ASSERT_TRUE(loaded->store->create(makeRecord("e1")).ok());
  EXPECT_TRUE(std::filesystem::exists(dir_.child("history/nested/executions.db")));
}

TEST_F(StoreTest, ReopeningKeepsDataSchemaAndWal) {
  {
    auto loaded = openStore();
    ASSERT_TRUE(loaded->store->create(makeRecord("e1", "linux", "disk_usage", 10)).ok());
    sdk::ExecutionUpdate update;
    update.status = ExecutionStatus::running;
    update.at_ms = 11;
    update.pid = 99;
    ASSERT_TRUE(loaded->store->apply("e1", update).ok());
  }
  const std::string version = SqliteFile(databasePath()).scalar("PRAGMA user_version");
  EXPECT_NE(version, "0");

  auto reopened = openStore();
  auto stored = reopened->store->get("e1");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->status, ExecutionStatus::running);
  EXPECT_EQ(stored->pid, 99);
  EXPECT_EQ(reopened->store->transitions("e1")->size(), 2u);
  ASSERT_TRUE(reopened->store->create(makeRecord("e2")).ok());
  EXPECT_EQ(idsOf(*reopened->store->list({})), (std::vector<std::string>{"e2", "e1"}));

  SqliteFile file(databasePath());
  EXPECT_EQ(file.scalar("PRAGMA user_version"), version);
  EXPECT_EQ(file.scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(file.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'executions'"), "1");
}

TEST_F(StoreTest, ADatabaseFromANewerPluginIsRefusedNamingBothVersions) {
  openStore();
  const int known = std::stoi(SqliteFile(databasePath()).scalar("PRAGMA user_version"));
  const int newer = known + 7;
  SqliteFile(databasePath()).execute("PRAGMA user_version = " + std::to_string(newer));

  auto loaded = loadStore();
  auto status = configureStore(*loaded, {});
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.message(), "schema version " + std::to_string(newer)))
      << status.message();
  EXPECT_TRUE(contains(status.message(), "version " + std::to_string(known) + ","))
      << status.message();
  EXPECT_TRUE(contains(status.message(), databasePath())) << status.message();
  EXPECT_EQ(loaded->store->get("e1").status().code(), ErrorCode::unavailable);
}

TEST_F(StoreTest, AnUnusablePathIsRefusedNamingIt) {
  // Under a regular file: no directory can be made there, even as root.
  const std::string blocker = dir_.child("not-a-directory");
  std::ofstream(blocker) << "x";
  auto loaded = loadStore();
  const std::string under_file = blocker + "/rivet.db";
  auto status = configureStore(*loaded, {{"path", under_file}});
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.message(), under_file)) << status.message();

  // A directory where the file should be: SQLite itself refuses, and says why.
  const std::string directory = dir_.child("a-directory");
  std::filesystem::create_directory(directory);
  status = configureStore(*loaded, {{"path", directory}});
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.message(), directory)) << status.message();
  EXPECT_TRUE(contains(status.message(), "unable to open database file")) << status.message();
}

TEST_F(StoreTest, AWriteLockHeldPastTheBusyTimeoutIsUnavailable) {
  auto loaded = openStore({{"busy_timeout_ms", "0"}});
  SqliteFile other(databasePath());
  other.execute("BEGIN IMMEDIATE");
  auto status = loaded->store->create(makeRecord("e1"));
  EXPECT_EQ(status.code(), ErrorCode::unavailable) << status.message();
  // Reads go on under WAL while another connection writes.
  EXPECT_EQ(loaded->store->get("e1").status().code(), ErrorCode::not_found);
  other.execute("ROLLBACK");
  EXPECT_TRUE(loaded->store->create(makeRecord("e1")).ok());
}

// Every filtered list must seek an index and read it in order: a SCAN of executions or a
// temporary B-tree for ORDER BY would touch every row of a 1M-row history.
void expectIndexedPlan(SqliteFile& file, const ExecutionQuery& query) {
  const std::string sql = listExecutionsSql(query);
  const auto plan = file.column("EXPLAIN QUERY PLAN " + sql, 3);
  ASSERT_FALSE(plan.empty()) << sql;
  bool uses_index = false;
  for (const auto& step : plan) {
    EXPECT_FALSE(contains(step, "SCAN")) << sql << "\n  plan: " << step;
    EXPECT_FALSE(contains(step, "TEMP B-TREE")) << sql << "\n  plan: " << step;
    uses_index =
        uses_index || contains(step, "USING INDEX") || contains(step, "USING COVERING INDEX");
  }
  EXPECT_TRUE(uses_index) << sql << "\n  plan: " << plan.front();
}

TEST_F(StoreTest, FilteredListsStayIndexedOverALargeHistory) {
  auto loaded = openStore();
  SqliteFile file(databasePath());
  // 100k executions over 10 packs x 7 actions and three statuses, in one transaction.
  file.execute(R"sql(
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
    INSERT INTO executions (id, pack, action, parameters, requester_subject, requester_sans,
                            status, created_at_ms)
    SELECT 'bulk-' || i, 'pack' || (i % 10), 'action' || (i % 7), '{}', 'CN=bench', '[]',
           CASE i % 3 WHEN 0 THEN 'succeeded' WHEN 1 THEN 'failed' ELSE 'running' END, i
    FROM n)sql");

  ExecutionQuery action;
  action.pack = "pack3";
  action.action = "action5";
  auto page = loaded->store->list(action);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 50u);
  for (std::size_t i = 0; i < page->items.size(); ++i) {
    EXPECT_EQ(page->items[i].ref(), "pack3.action5");
    if (i > 0) {
      EXPECT_GT(page->items[i - 1].created_at_ms, page->items[i].created_at_ms);
    }
  }
  EXPECT_EQ(page->items.front().id, "bulk-99993");  // the largest i with i%10=3, i%7=5

  ExecutionQuery pack;
  pack.pack = "pack3";
  ExecutionQuery status;
  status.status = ExecutionStatus::running;
  ExecutionQuery status_in_action = action;
  status_in_action.status = ExecutionStatus::failed;
  for (ExecutionQuery query : {action, pack, status, status_in_action}) {
    expectIndexedPlan(file, query);
    query.before = "bulk-500";
    expectIndexedPlan(file, query);
  }
}

}  // namespace
}  // namespace rivet::plugins::storage_sqlite::testing
