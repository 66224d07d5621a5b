// What an execution used (ExecutionRecord::usage, ExecutionUpdate::usage; schema version 4):
// stored by create() and apply(), read back by every call that returns records, and added to
// a version-3 database in place.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store_fixture.hpp"

namespace rivet::plugins::storage_sqlite::testing {
namespace {

using sdk::ExecutionStatus;
using sdk::ExecutionUpdate;
using sdk::ResourceUsage;

constexpr std::uint64_t kMiB = 1024 * 1024;

// ResourceUsage has no operator==; as a tuple its fields compare, and gtest prints them.
using UsageFields = std::tuple<std::optional<std::uint64_t>, std::optional<std::uint64_t>, bool>;

std::optional<UsageFields> fieldsOf(const std::optional<ResourceUsage>& usage) {
  if (!usage) return std::nullopt;
  return UsageFields(usage->peak_memory_bytes, usage->cpu_time_us, usage->oom_killed);
}

ResourceUsage usageOf(std::optional<std::uint64_t> peak_memory_bytes,
                      std::optional<std::uint64_t> cpu_time_us, bool oom_killed = false) {
  ResourceUsage usage;
  usage.peak_memory_bytes = peak_memory_bytes;
  usage.cpu_time_us = cpu_time_us;
  usage.oom_killed = oom_killed;
  return usage;
}

ExecutionUpdate statusChange(ExecutionStatus status, std::int64_t at_ms) {
  ExecutionUpdate update;
  update.status = status;
  update.at_ms = at_ms;
  return update;
}

ExecutionUpdate ending(ExecutionStatus status, std::int64_t at_ms,
                       std::optional<ResourceUsage> usage) {
  auto update = statusChange(status, at_ms);
  update.ended_at_ms = at_ms;
  update.usage = std::move(usage);
  return update;
}

TEST_F(StoreTest, ApplyStoresUsageWithTheTerminalStatusAndListReturnsIt) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(makeRecord("e1", "linux", "disk_usage", 1000)).ok());
  ASSERT_TRUE(store.apply("e1", statusChange(ExecutionStatus::running, 1001)).ok());
  EXPECT_FALSE(store.get("e1")->usage.has_value());

  const auto usage = usageOf(256 * kMiB, 1'500'000);
  auto succeeded = ending(ExecutionStatus::succeeded, 1002, usage);
  succeeded.exit_code = 0;
  ASSERT_TRUE(store.apply("e1", succeeded).ok());
  auto stored = store.get("e1");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->status, ExecutionStatus::succeeded);
  EXPECT_EQ(stored->exit_code, 0);
  EXPECT_EQ(fieldsOf(stored->usage), fieldsOf(usage));

  // list() returns it, with and without a filter, next to an execution that has none.
  ASSERT_TRUE(store.create(makeRecord("e2")).ok());
  auto page = store.list({});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(idsOf(*page), (std::vector<std::string>{"e2", "e1"}));
  EXPECT_FALSE(page->items[0].usage.has_value());
  EXPECT_EQ(fieldsOf(page->items[1].usage), fieldsOf(usage));
  sdk::ExecutionQuery by_status;
  by_status.status = ExecutionStatus::succeeded;
  auto filtered = store.list(by_status);
  ASSERT_TRUE(filtered.ok()) << filtered.status().message();
  ASSERT_EQ(idsOf(*filtered), (std::vector<std::string>{"e1"}));
  EXPECT_EQ(fieldsOf(filtered->items[0].usage), fieldsOf(usage));
}

TEST_F(StoreTest, AnExecutionWithoutUsageNeverGainsOne) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(makeRecord("e1", "linux", "disk_usage", 10)).ok());
  ASSERT_TRUE(store.apply("e1", statusChange(ExecutionStatus::running, 11)).ok());
  auto unfinished = store.listUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status().message();
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_FALSE(unfinished->at(0).usage.has_value());

  auto failed = ending(ExecutionStatus::failed, 12, std::nullopt);
  failed.exit_code = 3;
  ASSERT_TRUE(store.apply("e1", failed).ok());
  EXPECT_FALSE(store.get("e1")->usage.has_value());
  EXPECT_FALSE(store.list({})->items.at(0).usage.has_value());
  EXPECT_EQ(SqliteFile(databasePath())
                .scalar("SELECT peak_memory_bytes IS NULL AND cpu_time_us IS NULL AND "
                        "oom_killed IS NULL FROM executions WHERE id = 'e1'"),
            "1");

  auto purged = store.purgeEndedBefore(100, 10);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  ASSERT_EQ(purged->size(), 1u);
  EXPECT_FALSE(purged->at(0).usage.has_value());
}

TEST_F(StoreTest, APartialUsageKeepsItsUnsetCountsUnset) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(makeRecord("cpu-only")).ok());
  const auto cpu_only = usageOf(std::nullopt, 42);
  ASSERT_TRUE(store.apply("cpu-only", ending(ExecutionStatus::succeeded, 5, cpu_only)).ok());
  auto stored = store.get("cpu-only");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  ASSERT_TRUE(stored->usage.has_value());
  EXPECT_FALSE(stored->usage->peak_memory_bytes.has_value());
  EXPECT_EQ(stored->usage->cpu_time_us, 42u);
  EXPECT_FALSE(stored->usage->oom_killed);
  EXPECT_EQ(SqliteFile(databasePath())
                .scalar("SELECT peak_memory_bytes IS NULL FROM executions WHERE id = 'cpu-only'"),
            "1");

  // A usage with neither count is still a usage, not none.
  ASSERT_TRUE(store.create(makeRecord("no-counts")).ok());
  const auto no_counts = usageOf(std::nullopt, std::nullopt);
  ASSERT_TRUE(store.apply("no-counts", ending(ExecutionStatus::succeeded, 6, no_counts)).ok());
  EXPECT_EQ(fieldsOf(store.get("no-counts")->usage),
            UsageFields(std::nullopt, std::nullopt, false));
}

TEST_F(StoreTest, AnOomKilledUsageRoundTrips) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(makeRecord("e1")).ok());
  ASSERT_TRUE(store.apply("e1", statusChange(ExecutionStatus::running, 1)).ok());
  const auto usage = usageOf(64 * kMiB, 250'000, true);
  auto killed = ending(ExecutionStatus::failed, 2, usage);
  killed.term_signal = 9;
  killed.reason = "killed by the kernel's OOM killer";
  ASSERT_TRUE(store.apply("e1", killed).ok());

  auto stored = store.get("e1");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  ASSERT_TRUE(stored->usage.has_value());
  EXPECT_TRUE(stored->usage->oom_killed);
  EXPECT_EQ(fieldsOf(stored->usage), fieldsOf(usage));
  EXPECT_EQ(stored->term_signal, 9);
  EXPECT_TRUE(store.list({})->items.at(0).usage->oom_killed);
}

// create() stores a record's usage; every read returns it; an update without a usage keeps
// it, and one with a usage replaces it whole.
TEST_F(StoreTest, UsageRoundTripsThroughEveryRead) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  const std::vector<std::pair<std::string, std::optional<ResourceUsage>>> samples = {
      {"none", std::nullopt},
      {"full", usageOf(512 * kMiB, 3'000'000)},
      {"oom", usageOf(kMiB, 10, true)},
      // SQLite integers are signed: counts past INT64_MAX must come back unchanged.
      {"huge", usageOf(std::numeric_limits<std::uint64_t>::max(),
                       std::uint64_t{std::numeric_limits<std::int64_t>::max()} + 1)},
  };
  for (const auto& [id, usage] : samples) {
    auto record = makeRecord(id);
    record.status = ExecutionStatus::running;
    record.idempotency_key = "key-" + id;
    record.usage = usage;
    ASSERT_TRUE(store.create(record).ok()) << id;
  }

  auto unfinished = store.listUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status().message();
  ASSERT_EQ(unfinished->size(), samples.size());
  auto page = store.list({});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& [id, usage] = samples[i];
    auto stored = store.get(id);
    ASSERT_TRUE(stored.ok()) << stored.status().message();
    EXPECT_EQ(fieldsOf(stored->usage), fieldsOf(usage)) << id;
    EXPECT_EQ(fieldsOf(store.getByIdempotencyKey(stored->requester.subject, "key-" + id)->usage),
              fieldsOf(usage))
        << id;
    EXPECT_EQ(fieldsOf(unfinished->at(i).usage), fieldsOf(usage)) << id;  // oldest first
    const auto& listed = page->items[samples.size() - 1 - i];             // newest first
    EXPECT_EQ(fieldsOf(listed.usage), fieldsOf(usage)) << id;
  }

  std::map<std::string, std::optional<ResourceUsage>> expected(samples.begin(), samples.end());
  ASSERT_TRUE(store.apply("full", statusChange(ExecutionStatus::canceling, 20)).ok());
  EXPECT_EQ(fieldsOf(store.get("full")->usage), fieldsOf(expected.at("full")));
  expected["full"] = usageOf(std::nullopt, 4'000'000);
  ASSERT_TRUE(store.apply("full", ending(ExecutionStatus::canceled, 21, expected["full"])).ok());
  EXPECT_EQ(fieldsOf(store.get("full")->usage), fieldsOf(expected.at("full")));

  // Purging hands back what each one ended with.
  for (const std::string id : {"none", "oom", "huge"}) {
    ASSERT_TRUE(store.apply(id, ending(ExecutionStatus::succeeded, 30, std::nullopt)).ok()) << id;
  }
  auto purged = store.purgeEndedBefore(100, 10);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  ASSERT_EQ(purged->size(), samples.size());
  for (const auto& record : *purged) {
    EXPECT_EQ(fieldsOf(record.usage), fieldsOf(expected.at(record.id))) << record.id;
  }
}

// A database left by the version-3 plugin: migrations 1 to 3 exactly as they shipped, then an
// ended execution with a result and a running one, written the way that plugin did.
void writeVersion3Database(const std::string& path) {
  writeSchemaAtVersion(path, 3);
  SqliteFile file(path);
  file.execute(R"sql(
    INSERT INTO executions (id, pack, action, parameters, requester_subject, requester_sans,
                            status, exit_code, created_at_ms, started_at_ms, ended_at_ms, pid,
                            stdout_path, stderr_path, timeout_seconds, idempotency_key, result)
    VALUES ('v3-done', 'linux', 'uptime', '{"verbose":true}', 'CN=alice', '["DNS:ops"]',
            'succeeded', 0, 100, 110, 200, 4242, '/out/v3-done.stdout', '/out/v3-done.stderr',
            30, 'key-1', '{"uptime_seconds":86400}'),
           ('v3-running', 'linux', 'uptime', '{}', 'CN=alice', '[]',
            'running', NULL, 150, 160, NULL, 4343, '/out/v3-running.stdout', '', 0, '', NULL);
  )sql");
  writeOldTransitions(file, "v3");
}

TEST_F(StoreTest, AVersion3DatabaseIsUpgradedInPlaceWithNoUsageAndTakesUsageAfterwards) {
  writeVersion3Database(databasePath());
  auto loaded = openUpgradedStore(3);
  auto& store = *loaded->store;

  // The old rows read back whole, without usage.
  const auto done = readOldDoneExecution(store, "v3");
  EXPECT_EQ(done.timeout_seconds, 30);
  EXPECT_EQ(done.result, nlohmann::json({{"uptime_seconds", 86400}}));
  EXPECT_FALSE(done.usage.has_value());
  auto page = store.list({});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(idsOf(*page), (std::vector<std::string>{"v3-running", "v3-done"}));
  for (const auto& record : page->items) EXPECT_FALSE(record.usage.has_value()) << record.id;

  // The old running row takes a usage when it ends, and keeps it across a reopen.
  const auto usage = usageOf(128 * kMiB, 900'000, true);
  ASSERT_TRUE(store.apply("v3-running", ending(ExecutionStatus::failed, 300, usage)).ok());
  EXPECT_EQ(fieldsOf(store.get("v3-running")->usage), fieldsOf(usage));

  logger_.clear();
  auto reopened = openStore();
  EXPECT_EQ(logger_.count(sdk::LogLevel::info, "migrated"), 0);
  EXPECT_EQ(fieldsOf(reopened->store->get("v3-running")->usage), fieldsOf(usage));
  EXPECT_FALSE(reopened->store->get("v3-done")->usage.has_value());
}

TEST_F(StoreTest, AMigratedVersion3DatabaseHasTheSameSchemaAsANewOne) {
  openStore();
  const auto fresh = schemaOf(databasePath());
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(databasePath() + suffix);

  writeVersion3Database(databasePath());
  openStore();
  EXPECT_EQ(schemaOf(databasePath()), fresh);
}

}  // namespace
}  // namespace rivet::plugins::storage_sqlite::testing
