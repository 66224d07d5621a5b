// Which copy of the pack an execution ran (ExecutionRecord::pack_version, pack_source,
// pack_digest; schema version 5): written by create(), never changed afterwards, read back by
// every call that returns records, and added as '' to a version-4 database in place.
#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "schema_migrations.hpp"
#include "store_fixture.hpp"

namespace rivet::plugins::storage_sqlite::testing {
namespace {

using sdk::ExecutionRecord;
using sdk::ExecutionStatus;
using sdk::ExecutionUpdate;

// The three fields as one value gtest compares and prints.
using PackOrigin = std::tuple<std::string, std::string, std::string>;

PackOrigin originOf(const ExecutionRecord& record) {
  return PackOrigin(record.pack_version, record.pack_source, record.pack_digest);
}

const PackOrigin kNoOrigin{"", "", ""};

// One record per source, each with its own version and digest, running and keyed so that
// listUnfinished() and getByIdempotencyKey() find them.
std::vector<ExecutionRecord> recordsOfEverySource() {
  const std::vector<std::pair<std::string, PackOrigin>> samples = {
      {"from-dir", {"1.4.2", "packs_dir", ""}},
      {"from-store",
       {"2.0.0", "store",
        "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
      {"from-dev",
       {"2.1.0-dev \u2603", "dev",
        "sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"}},
  };
  std::vector<ExecutionRecord> records;
  for (const auto& [id, origin] : samples) {
    auto record = makeRecord(id);
    record.status = ExecutionStatus::running;
    record.idempotency_key = "key-" + id;
    std::tie(record.pack_version, record.pack_source, record.pack_digest) = origin;
    records.push_back(record);
  }
  return records;
}

// An end that sets everything an update can: exit code, result and usage.
ExecutionUpdate succeededWithEverything(std::int64_t at_ms) {
  auto update = ending(ExecutionStatus::succeeded, at_ms);
  update.exit_code = 0;
  update.result = nlohmann::json({{"ok", true}});
  update.usage = sdk::ResourceUsage{};
  return update;
}

TEST_F(StoreTest, CreateStoresThePackOriginAndEveryReadReturnsIt) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  const auto records = recordsOfEverySource();
  for (const auto& record : records) ASSERT_TRUE(store.create(record).ok()) << record.id;

  auto page = store.list({});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(idsOf(*page), (std::vector<std::string>{"from-dev", "from-store", "from-dir"}));
  sdk::ExecutionQuery by_pack;
  by_pack.pack = "linux";
  auto filtered = store.list(by_pack);
  ASSERT_TRUE(filtered.ok()) << filtered.status().message();
  ASSERT_EQ(filtered->items.size(), records.size());
  auto unfinished = store.listUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status().message();
  ASSERT_EQ(unfinished->size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& record = records[i];
    const auto expected = originOf(record);
    auto stored = store.get(record.id);
    ASSERT_TRUE(stored.ok()) << stored.status().message();
    EXPECT_EQ(originOf(*stored), expected) << record.id;
    auto keyed = store.getByIdempotencyKey(record.requester.subject, record.idempotency_key);
    ASSERT_TRUE(keyed.ok()) << keyed.status().message();
    EXPECT_EQ(originOf(*keyed), expected) << record.id;
    EXPECT_EQ(originOf(unfinished->at(i)), expected) << record.id;                 // oldest first
    EXPECT_EQ(originOf(page->items[records.size() - 1 - i]), expected) << record.id;  // newest
    EXPECT_EQ(originOf(filtered->items[records.size() - 1 - i]), expected) << record.id;
  }
  // Stored as given, in their own columns.
  EXPECT_EQ(SqliteFile(databasePath())
                .scalar("SELECT pack_version || '|' || pack_source || '|' || pack_digest "
                        "FROM executions WHERE id = 'from-store'"),
            "2.0.0|store|sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
}

TEST_F(StoreTest, ThePackOriginNeverChangesAfterCreate) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  const auto records = recordsOfEverySource();
  for (const auto& record : records) ASSERT_TRUE(store.create(record).ok()) << record.id;

  // Every kind of update leaves it alone: a progress marker, an end with a result and usage.
  ExecutionUpdate canceling;
  canceling.status = ExecutionStatus::canceling;
  canceling.at_ms = 10;
  canceling.reason = "asked to stop";
  ASSERT_TRUE(store.apply("from-store", canceling).ok());
  for (const auto& record : records) {
    ASSERT_TRUE(store.apply(record.id, succeededWithEverything(20)).ok()) << record.id;
    auto stored = store.get(record.id);
    ASSERT_TRUE(stored.ok()) << stored.status().message();
    ASSERT_EQ(stored->status, ExecutionStatus::succeeded) << record.id;
    EXPECT_EQ(originOf(*stored), originOf(record)) << record.id;
  }

  // A reused id or key is refused without touching the stored origin.
  auto again = records[1];
  std::tie(again.pack_version, again.pack_source, again.pack_digest) = kNoOrigin;
  EXPECT_EQ(store.create(again).code(), sdk::ErrorCode::conflict);
  EXPECT_EQ(originOf(*store.get(again.id)), originOf(records[1]));

  // Purging hands back the origin of what it deleted, so the caller can name it.
  auto purged = store.purgeEndedBefore(100, 10);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  ASSERT_EQ(purged->size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(purged->at(i).id, records[i].id);
    EXPECT_EQ(originOf(purged->at(i)), originOf(records[i])) << records[i].id;
  }
}

// A database left by the version-4 plugin: migrations 1 to 4 exactly as they shipped, then an
// ended execution with a result and usage and a running one, written the way that plugin did.
void writeVersion4Database(const std::string& path) {
  writeSchemaAtVersion(path, 4);
  SqliteFile file(path);
  file.execute(R"sql(
    INSERT INTO executions (id, pack, action, parameters, requester_subject, requester_sans,
                            status, exit_code, created_at_ms, started_at_ms, ended_at_ms, pid,
                            stdout_path, stderr_path, timeout_seconds, idempotency_key, result,
                            peak_memory_bytes, cpu_time_us, oom_killed)
    VALUES ('v4-done', 'linux', 'uptime', '{"verbose":true}', 'CN=alice', '["DNS:ops"]',
            'succeeded', 0, 100, 110, 200, 4242, '/out/v4-done.stdout', '/out/v4-done.stderr',
            30, 'key-1', '{"uptime_seconds":86400}', 5234688, 9120, 0),
           ('v4-running', 'linux', 'disk_usage', '{}', 'CN=bob', '[]',
            'running', NULL, 150, 160, NULL, 4343, '/out/v4-running.stdout', '', 0, '', NULL,
            NULL, NULL, NULL);
  )sql");
  writeOldTransitions(file, "v4");
}

TEST_F(StoreTest, AVersion4DatabaseIsUpgradedInPlaceWithAnEmptyPackOrigin) {
  writeVersion4Database(databasePath());
  auto loaded = openUpgradedStore(4);
  auto& store = *loaded->store;
  ASSERT_EQ(kMigrations.size(), 5u);
  // The new columns: TEXT NOT NULL DEFAULT '', filled with '' on the old rows.
  EXPECT_EQ(SqliteFile(databasePath())
                .column("SELECT name || ' ' || type || ' ' || \"notnull\" || ' ' || dflt_value "
                        "FROM pragma_table_info('executions') WHERE name LIKE 'pack_%' "
                        "ORDER BY cid"),
            (std::vector<std::string>{"pack_version TEXT 1 ''", "pack_source TEXT 1 ''",
                                      "pack_digest TEXT 1 ''"}));
  EXPECT_EQ(SqliteFile(databasePath())
                .scalar("SELECT count(*) FROM executions WHERE pack_version = '' AND "
                        "pack_source = '' AND pack_digest = ''"),
            "2");

  // The old rows keep everything they had, and read back with no origin.
  const auto done = readOldDoneExecution(store, "v4");
  EXPECT_EQ(done.timeout_seconds, 30);
  EXPECT_EQ(done.idempotency_key, "key-1");
  EXPECT_EQ(done.result, nlohmann::json({{"uptime_seconds", 86400}}));
  ASSERT_TRUE(done.usage.has_value());
  EXPECT_EQ(done.usage->peak_memory_bytes, 5234688u);
  EXPECT_EQ(done.usage->cpu_time_us, 9120u);
  EXPECT_FALSE(done.usage->oom_killed);
  EXPECT_EQ(originOf(done), kNoOrigin);
  EXPECT_EQ(originOf(*store.getByIdempotencyKey("CN=alice", "key-1")), kNoOrigin);
  auto unfinished = store.listUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status().message();
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_EQ(unfinished->at(0).id, "v4-running");
  EXPECT_EQ(originOf(unfinished->at(0)), kNoOrigin);

  // The old running row ends without gaining an origin; a new execution records its own.
  ASSERT_TRUE(store.apply("v4-running", succeededWithEverything(300)).ok());
  EXPECT_EQ(originOf(*store.get("v4-running")), kNoOrigin);
  const auto fresh = recordsOfEverySource().at(1);
  ASSERT_TRUE(store.create(fresh).ok());
  auto page = store.list({});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(idsOf(*page), (std::vector<std::string>{"from-store", "v4-running", "v4-done"}));
  EXPECT_EQ(originOf(page->items[0]), originOf(fresh));
  EXPECT_EQ(originOf(page->items[1]), kNoOrigin);
  EXPECT_EQ(originOf(page->items[2]), kNoOrigin);

  // Reopening the upgraded file migrates nothing more and keeps both kinds of row.
  logger_.clear();
  auto reopened = openStore();
  EXPECT_EQ(logger_.count(sdk::LogLevel::info, "migrated"), 0);
  EXPECT_EQ(originOf(*reopened->store->get("from-store")), originOf(fresh));
  EXPECT_EQ(originOf(*reopened->store->get("v4-done")), kNoOrigin);
}

TEST_F(StoreTest, AMigratedVersion4DatabaseHasTheSameSchemaAsANewOne) {
  writeVersion4Database(databasePath());
  openStore();
  const auto migrated = schemaOf(databasePath());
  openStore({{"path", "new/rivet.db"}});  // a file the plugin creates from nothing
  EXPECT_EQ(migrated, schemaOf(dir_.str() + "/new/rivet.db"));
  EXPECT_NE(std::find_if(migrated.begin(), migrated.end(),
                         [](const std::string& sql) {
                           return sql.find("pack_digest TEXT NOT NULL DEFAULT ''") !=
                                  std::string::npos;
                         }),
            migrated.end());
}

}  // namespace
}  // namespace rivet::plugins::storage_sqlite::testing
