// What storage-sqlite does with the file itself: where it lives, WAL, the schema version,
// locks held by other processes, and query plans on a large history.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>

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

// A database left by the version-1 plugin: migration 1 exactly as it shipped, then two
// executions and their transitions written the way that plugin wrote them.
void writeVersion1Database(const std::string& path) {
  writeSchemaAtVersion(path, 1);
  SqliteFile file(path);
  file.execute(R"sql(
    INSERT INTO executions (id, pack, action, parameters, requester_subject, requester_sans,
                            status, exit_code, created_at_ms, started_at_ms, ended_at_ms, pid,
                            stdout_path, stderr_path)
    VALUES ('v1-done', 'linux', 'uptime', '{"verbose":true}', 'CN=alice', '["DNS:ops"]',
            'succeeded', 0, 100, 110, 200, 4242, '/out/v1-done.stdout', '/out/v1-done.stderr'),
           ('v1-running', 'linux', 'uptime', '{}', 'CN=alice', '[]',
            'running', NULL, 150, 160, NULL, 4343, '/out/v1-running.stdout', '');
  )sql");
  writeOldTransitions(file, "v1");
}

TEST_F(StoreTest, AVersion1DatabaseIsUpgradedInPlaceAndKeepsItsHistory) {
  writeVersion1Database(databasePath());
  auto loaded = openUpgradedStore(1);
  auto& store = *loaded->store;

  // The old rows read back with the new fields at their defaults.
  const auto done = readOldDoneExecution(store, "v1");
  EXPECT_EQ(done.timeout_seconds, 0);
  EXPECT_EQ(done.idempotency_key, "");
  EXPECT_EQ(idsOf(*store.list({})), (std::vector<std::string>{"v1-running", "v1-done"}));

  // The new indexes work on the old rows: keyless rows of one subject do not collide, ...
  auto unfinished = store.listUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status().message();
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_EQ(unfinished->at(0).id, "v1-running");
  EXPECT_EQ(store.getByIdempotencyKey("CN=alice", "").status().code(), ErrorCode::not_found);
  auto keyed = makeRecord("v2-keyed");
  keyed.requester.subject = "CN=alice";
  keyed.idempotency_key = "retry-me";
  keyed.timeout_seconds = 60;
  ASSERT_TRUE(store.create(keyed).ok());
  keyed.id = "v2-keyed-again";
  EXPECT_EQ(store.create(keyed).code(), ErrorCode::conflict);
  EXPECT_EQ(store.getByIdempotencyKey("CN=alice", "retry-me")->timeout_seconds, 60);
  // ... and a purge takes the old terminal row with its transitions.
  auto purged = store.purgeEndedBefore(1000, 10);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  ASSERT_EQ(purged->size(), 1u);
  EXPECT_EQ(purged->at(0).id, "v1-done");
  EXPECT_EQ(SqliteFile(databasePath())
                .scalar("SELECT count(*) FROM execution_transitions WHERE execution_id = "
                        "'v1-done'"),
            "0");

  // Reopening the upgraded file migrates nothing more.
  logger_.clear();
  auto reopened = openStore();
  EXPECT_EQ(logger_.count(sdk::LogLevel::info, "migrated"), 0);
  EXPECT_TRUE(reopened->store->get("v1-running").ok());
}

// A database left by the version-2 plugin: migrations 1 and 2 exactly as they shipped, then
// one ended execution with a timeout and an idempotency key, written the way that plugin did.
void writeVersion2Database(const std::string& path) {
  writeSchemaAtVersion(path, 2);
  SqliteFile file(path);
  file.execute(R"sql(
    INSERT INTO executions (id, pack, action, parameters, requester_subject, requester_sans,
                            status, exit_code, created_at_ms, started_at_ms, ended_at_ms, pid,
                            stdout_path, stderr_path, timeout_seconds, idempotency_key)
    VALUES ('v2-done', 'linux', 'uptime', '{"verbose":true}', 'CN=alice', '["DNS:ops"]',
            'succeeded', 0, 100, 110, 200, 4242, '/out/v2-done.stdout', '/out/v2-done.stderr',
            30, 'key-1'),
           ('v2-running', 'linux', 'uptime', '{}', 'CN=alice', '[]',
            'running', NULL, 150, 160, NULL, 4343, '/out/v2-running.stdout', '', 0, '');
  )sql");
  writeOldTransitions(file, "v2");
}

TEST_F(StoreTest, AVersion2DatabaseIsUpgradedInPlaceWithNoResults) {
  writeVersion2Database(databasePath());
  auto loaded = openUpgradedStore(2);
  auto& store = *loaded->store;

  const auto done = readOldDoneExecution(store, "v2");
  EXPECT_EQ(done.timeout_seconds, 30);
  EXPECT_EQ(done.idempotency_key, "key-1");
  EXPECT_TRUE(done.result.is_null());
  EXPECT_EQ(store.getByIdempotencyKey("CN=alice", "key-1")->id, "v2-done");
  auto page = store.list({});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 2u);
  for (const auto& record : page->items) {
    EXPECT_TRUE(record.result.is_null()) << record.id;
  }

  // The old running row takes a result when it ends.
  sdk::ExecutionUpdate ended;
  ended.status = ExecutionStatus::succeeded;
  ended.at_ms = 300;
  ended.ended_at_ms = 300;
  ended.result = nlohmann::json({{"uptime_seconds", 86400}});
  ASSERT_TRUE(store.apply("v2-running", ended).ok());
  EXPECT_EQ(store.get("v2-running")->result, nlohmann::json({{"uptime_seconds", 86400}}));

  logger_.clear();
  auto reopened = openStore();
  EXPECT_EQ(logger_.count(sdk::LogLevel::info, "migrated"), 0);
  EXPECT_EQ(reopened->store->get("v2-running")->result,
            nlohmann::json({{"uptime_seconds", 86400}}));
}

TEST_F(StoreTest, AMigratedDatabaseHasTheSameSchemaAsANewOne) {
  openStore();
  const auto fresh = schemaOf(databasePath());
  std::filesystem::remove(databasePath());
  std::filesystem::remove(databasePath() + "-wal");
  std::filesystem::remove(databasePath() + "-shm");

  writeVersion1Database(databasePath());
  openStore();
  EXPECT_EQ(schemaOf(databasePath()), fresh);
  std::filesystem::remove(databasePath());
  std::filesystem::remove(databasePath() + "-wal");
  std::filesystem::remove(databasePath() + "-shm");

  writeVersion2Database(databasePath());
  openStore();
  EXPECT_EQ(schemaOf(databasePath()), fresh);
}

// The plan of `sql` reads the partial index `index` and nothing else of executions: a SCAN is
// acceptable only over that index, which holds just the rows the statement wants, and no
// temporary B-tree sorts the result.
void expectPlanReadsIndex(SqliteFile& file, const std::string& sql, const std::string& index) {
  const auto plan = file.column("EXPLAIN QUERY PLAN " + sql, 3);
  ASSERT_FALSE(plan.empty()) << sql;
  bool uses_index = false;
  for (const auto& step : plan) {
    const bool on_index = contains(step, "USING INDEX " + index) ||
                          contains(step, "USING COVERING INDEX " + index);
    if (contains(step, "SCAN")) {
      EXPECT_TRUE(on_index) << sql << "\n  plan: " << step;
    }
    EXPECT_FALSE(contains(step, "TEMP B-TREE")) << sql << "\n  plan: " << step;
    uses_index = uses_index || on_index;
  }
  EXPECT_TRUE(uses_index) << sql << "\n  plan: " << plan.front();
}

TEST_F(StoreTest, UnfinishedPurgeAndIdempotencyLookupsStayIndexedOverALargeHistory) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  SqliteFile file(databasePath());
  // 100k executions: every 1000th running, the rest terminal, ending in the reverse order of
  // their creation (so end order is not seq order); half of them with an idempotency key.
  file.execute(R"sql(
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
    INSERT INTO executions (id, pack, action, parameters, requester_subject, requester_sans,
                            status, created_at_ms, ended_at_ms, idempotency_key)
    SELECT 'bulk-' || i, 'pack' || (i % 10), 'action' || (i % 7), '{}', 'CN=bench', '[]',
           CASE WHEN i % 1000 = 0 THEN 'running'
                ELSE CASE i % 5 WHEN 0 THEN 'succeeded' WHEN 1 THEN 'failed'
                     WHEN 2 THEN 'timeout' WHEN 3 THEN 'canceled' ELSE 'abandoned' END END,
           i, CASE WHEN i % 1000 = 0 THEN NULL ELSE 200000 - i END,
           CASE WHEN i % 2 = 0 THEN 'key-' || i ELSE '' END
    FROM n)sql");

  expectPlanReadsIndex(file, unfinishedExecutionsSql(), "executions_unfinished");
  expectPlanReadsIndex(file, purgeCandidatesSql(), "executions_purgeable");
  expectPlanReadsIndex(file, executionByIdempotencyKeySql(), "executions_by_idempotency_key");

  auto unfinished = store.listUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status().message();
  ASSERT_EQ(unfinished->size(), 100u);
  EXPECT_EQ(unfinished->front().id, "bulk-1000");
  EXPECT_EQ(unfinished->back().id, "bulk-100000");

  auto found = store.getByIdempotencyKey("CN=bench", "key-4242");
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->id, "bulk-4242");

  auto purged = store.purgeEndedBefore(std::numeric_limits<std::int64_t>::max(), 500);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  ASSERT_EQ(purged->size(), 500u);
  EXPECT_EQ(purged->front().id, "bulk-99999");  // ended first: 200000 - 99999
  for (std::size_t i = 1; i < purged->size(); ++i) {
    EXPECT_LT(purged->at(i - 1).ended_at_ms, purged->at(i).ended_at_ms) << i;
    EXPECT_TRUE(sdk::isTerminal(purged->at(i).status)) << purged->at(i).id;
  }
  EXPECT_EQ(file.scalar("SELECT count(*) FROM executions"), "99500");
}

}  // namespace
}  // namespace rivet::plugins::storage_sqlite::testing
