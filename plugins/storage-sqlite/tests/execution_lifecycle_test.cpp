// The storage.hpp calls of SDK v2 that serve an execution's life around the request itself:
// idempotency keys, re-adopting unfinished executions at start, purging old history, and the
// health check.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "store_fixture.hpp"

namespace rivet::plugins::storage_sqlite::testing {
namespace {

using sdk::ErrorCode;
using sdk::ExecutionRecord;
using sdk::ExecutionStatus;
using sdk::ExecutionUpdate;

constexpr ExecutionStatus kEveryStatus[] = {
    ExecutionStatus::requested, ExecutionStatus::scheduled, ExecutionStatus::running,
    ExecutionStatus::succeeded, ExecutionStatus::failed,    ExecutionStatus::timeout,
    ExecutionStatus::canceling, ExecutionStatus::canceled,  ExecutionStatus::abandoned,
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> idsIn(const std::vector<ExecutionRecord>& records) {
  std::vector<std::string> ids;
  for (const auto& record : records) ids.push_back(record.id);
  return ids;
}

ExecutionRecord withKey(ExecutionRecord record, const std::string& subject,
                        const std::string& key) {
  record.requester.subject = subject;
  record.idempotency_key = key;
  return record;
}

// An execution created directly in `status`, ended at `ended_at_ms` when given.
ExecutionRecord inStatus(const std::string& id, ExecutionStatus status,
                         std::optional<std::int64_t> ended_at_ms = std::nullopt) {
  auto record = makeRecord(id, "linux", "disk_usage", 1'000);
  record.status = status;
  record.ended_at_ms = ended_at_ms;
  return record;
}

// ---- idempotency keys ---------------------------------------------------------------------

TEST_F(StoreTest, AnIdempotencyKeyIsUsedOncePerRequesterSubject) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(withKey(makeRecord("e1"), "CN=alice", "key-1")).ok());

  auto again = store.create(withKey(makeRecord("e2", "other", "thing"), "CN=alice", "key-1"));
  EXPECT_EQ(again.code(), ErrorCode::conflict);
  // Says which rule was broken, unlike a duplicate id, and points at the first execution.
  EXPECT_TRUE(contains(again.message(), "idempotency key 'key-1' was already used"))
      << again.message();
  EXPECT_TRUE(contains(again.message(), "'e1'")) << again.message();
  EXPECT_FALSE(contains(again.message(), "already exists")) << again.message();
  EXPECT_EQ(store.get("e2").status().code(), ErrorCode::not_found);
  EXPECT_EQ(store.transitions("e2").status().code(), ErrorCode::not_found);

  // The same key from another subject, and other keys from the same subject, are new.
  EXPECT_TRUE(store.create(withKey(makeRecord("e3"), "CN=bob", "key-1")).ok());
  EXPECT_TRUE(store.create(withKey(makeRecord("e4"), "CN=alice", "key-2")).ok());
  // Keys are compared exactly.
  EXPECT_TRUE(store.create(withKey(makeRecord("e5"), "CN=alice", "KEY-1")).ok());

  // A duplicate id is still reported as such, even with a fresh key.
  auto same_id = store.create(withKey(makeRecord("e1"), "CN=alice", "key-3"));
  EXPECT_EQ(same_id.code(), ErrorCode::conflict);
  EXPECT_TRUE(contains(same_id.message(), "id 'e1' already exists")) << same_id.message();
}

TEST_F(StoreTest, ExecutionsWithoutAnIdempotencyKeyNeverConflict) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  for (const char* id : {"e1", "e2", "e3"}) {
    auto status = store.create(withKey(makeRecord(id), "CN=alice", ""));
    EXPECT_TRUE(status.ok()) << id << ": " << status.message();
  }
  EXPECT_EQ(store.getByIdempotencyKey("CN=alice", "").status().code(), ErrorCode::not_found);
}

TEST_F(StoreTest, GetByIdempotencyKeyFindsTheSubjectsExecution) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  auto alice = withKey(makeRecord("e1"), "CN=alice", "key-1");
  alice.timeout_seconds = 30;
  ASSERT_TRUE(store.create(alice).ok());
  ASSERT_TRUE(store.create(withKey(makeRecord("e2"), "CN=bob", "key-1")).ok());
  ASSERT_TRUE(store.apply("e1", ending(ExecutionStatus::succeeded, 2'000)).ok());

  auto found = store.getByIdempotencyKey("CN=alice", "key-1");
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->id, "e1");
  EXPECT_EQ(found->status, ExecutionStatus::succeeded);  // the current state, not the first
  EXPECT_EQ(found->timeout_seconds, 30);
  EXPECT_EQ(found->idempotency_key, "key-1");
  EXPECT_EQ(store.getByIdempotencyKey("CN=bob", "key-1")->id, "e2");

  auto missing = store.getByIdempotencyKey("CN=alice", "key-2");
  EXPECT_EQ(missing.status().code(), ErrorCode::not_found);
  EXPECT_TRUE(contains(missing.status().message(), "key-2")) << missing.status().message();
  EXPECT_EQ(store.getByIdempotencyKey("CN=carol", "key-1").status().code(), ErrorCode::not_found);
}

TEST_F(StoreTest, ANegativeTimeoutIsRefused) {
  auto loaded = openStore();
  auto record = makeRecord("e1");
  record.timeout_seconds = -1;
  auto status = loaded->store->create(record);
  EXPECT_EQ(status.code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(contains(status.message(), "timeout_seconds")) << status.message();
  EXPECT_EQ(loaded->store->get("e1").status().code(), ErrorCode::not_found);
}

// ---- listUnfinished -----------------------------------------------------------------------

TEST_F(StoreTest, ListUnfinishedReturnsTheNonTerminalExecutionsOldestFirst) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  auto empty = store.listUnfinished();
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_TRUE(empty->empty());

  // One execution per status, twice over, created in this order.
  std::vector<std::string> expected;
  for (int round = 0; round < 2; ++round) {
    for (auto status : kEveryStatus) {
      const std::string id = std::string(sdk::toString(status)) + "-" + std::to_string(round);
      ASSERT_TRUE(store.create(inStatus(id, status)).ok()) << id;
      if (!sdk::isTerminal(status)) expected.push_back(id);
    }
  }
  // Apply moves rows in and out of the set: one finishes, one is still going.
  ASSERT_TRUE(store.apply("running-0", ending(ExecutionStatus::succeeded, 5)).ok());
  ExecutionUpdate to_running;
  to_running.status = ExecutionStatus::running;
  to_running.at_ms = 5;
  ASSERT_TRUE(store.apply("requested-1", to_running).ok());
  expected.erase(std::find(expected.begin(), expected.end(), "running-0"));

  auto unfinished = store.listUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status().message();
  EXPECT_EQ(idsIn(*unfinished), expected);
  for (const auto& record : *unfinished) {
    EXPECT_FALSE(sdk::isTerminal(record.status)) << record.id;
    EXPECT_EQ(record.stdout_path, "/var/lib/rivet/output/" + record.id + ".stdout");
  }
}

// ---- purgeEndedBefore ---------------------------------------------------------------------

TEST_F(StoreTest, PurgeDeletesOnlyTerminalExecutionsEndedBeforeTheCutoff) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  // Terminal, ended before the cutoff of 1000 (created out of end order on purpose).
  ASSERT_TRUE(store.create(inStatus("old-failed", ExecutionStatus::failed, 300)).ok());
  ASSERT_TRUE(store.create(inStatus("old-succeeded", ExecutionStatus::succeeded, 100)).ok());
  ASSERT_TRUE(store.create(makeRecord("old-canceled")).ok());
  ASSERT_TRUE(store.apply("old-canceled", ending(ExecutionStatus::canceled, 200)).ok());
  // Kept: ended at or after the cutoff, or not ended at all, however old.
  ASSERT_TRUE(store.create(inStatus("at-cutoff", ExecutionStatus::timeout, 1000)).ok());
  ASSERT_TRUE(store.create(inStatus("recent", ExecutionStatus::abandoned, 5000)).ok());
  ASSERT_TRUE(store.create(inStatus("running-ancient", ExecutionStatus::running, 1)).ok());
  ASSERT_TRUE(store.create(inStatus("canceling-ancient", ExecutionStatus::canceling, 1)).ok());
  ASSERT_TRUE(store.create(makeRecord("requested-ancient", "linux", "disk_usage", 1)).ok());
  {
    SqliteFile file(databasePath());
    ASSERT_EQ(file.scalar("SELECT count(*) FROM execution_transitions WHERE execution_id IN "
                          "('old-failed', 'old-succeeded', 'old-canceled')"),
              "4");
  }

  auto purged = store.purgeEndedBefore(1000, 100);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  EXPECT_EQ(idsIn(*purged),
            (std::vector<std::string>{"old-succeeded", "old-canceled", "old-failed"}));
  // Whole records, so the caller can remove the output files.
  EXPECT_EQ(purged->at(0).stdout_path, "/var/lib/rivet/output/old-succeeded.stdout");
  EXPECT_EQ(purged->at(0).stderr_path, "/var/lib/rivet/output/old-succeeded.stderr");
  EXPECT_EQ(purged->at(0).status, ExecutionStatus::succeeded);
  EXPECT_EQ(purged->at(1).status, ExecutionStatus::canceled);
  EXPECT_EQ(purged->at(1).ended_at_ms, 200);

  for (const char* id : {"old-failed", "old-succeeded", "old-canceled"}) {
    EXPECT_EQ(store.get(id).status().code(), ErrorCode::not_found) << id;
    EXPECT_EQ(store.transitions(id).status().code(), ErrorCode::not_found) << id;
  }
  {
    // The transitions went with them (ON DELETE CASCADE), the others' stayed.
    SqliteFile file(databasePath());
    EXPECT_EQ(file.scalar("SELECT count(*) FROM execution_transitions WHERE execution_id IN "
                          "('old-failed', 'old-succeeded', 'old-canceled')"),
              "0");
    EXPECT_EQ(file.scalar("SELECT count(*) FROM execution_transitions"), "5");
    EXPECT_EQ(file.scalar("SELECT count(*) FROM executions"), "5");
  }
  for (const char* id : {"at-cutoff", "recent", "running-ancient", "canceling-ancient",
                         "requested-ancient"}) {
    EXPECT_TRUE(store.get(id).ok()) << id;
  }

  // Nothing is left to purge before the cutoff; a far later cutoff takes only the terminal.
  EXPECT_TRUE(store.purgeEndedBefore(1000, 100)->empty());
  auto later = store.purgeEndedBefore(std::numeric_limits<std::int64_t>::max(), 100);
  ASSERT_TRUE(later.ok()) << later.status().message();
  EXPECT_EQ(idsIn(*later), (std::vector<std::string>{"at-cutoff", "recent"}));
  EXPECT_EQ(idsIn(*store.listUnfinished()),
            (std::vector<std::string>{"running-ancient", "canceling-ancient",
                                      "requested-ancient"}));
}

TEST_F(StoreTest, PurgeTakesAtMostMaxCountOldestFirstSoItCanBeCalledUntilDrained) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  // Seven terminal executions ending at 700, 600, ..., 100, and one running.
  std::vector<std::string> oldest_end_first;
  for (int i = 7; i >= 1; --i) {
    const std::string id = "done-" + std::to_string(i);
    ASSERT_TRUE(store.create(inStatus(id, ExecutionStatus::succeeded, i * 100)).ok());
    oldest_end_first.insert(oldest_end_first.begin(), id);
  }
  ASSERT_TRUE(store.create(inStatus("busy", ExecutionStatus::running)).ok());

  EXPECT_TRUE(store.purgeEndedBefore(10'000, 0)->empty());
  EXPECT_EQ(store.list({})->items.size(), 8u);

  std::vector<std::string> drained;
  std::vector<std::size_t> batch_sizes;
  while (true) {
    auto batch = store.purgeEndedBefore(10'000, 3);
    ASSERT_TRUE(batch.ok()) << batch.status().message();
    batch_sizes.push_back(batch->size());
    if (batch->empty()) break;
    for (const auto& id : idsIn(*batch)) drained.push_back(id);
    ASSERT_LT(batch_sizes.size(), 10u) << "purging does not make progress";
  }
  EXPECT_EQ(batch_sizes, (std::vector<std::size_t>{3, 3, 1, 0}));
  EXPECT_EQ(drained, oldest_end_first);
  EXPECT_EQ(idsOf(*store.list({})), (std::vector<std::string>{"busy"}));
}

TEST_F(StoreTest, PurgeUnderAnotherWritersLockIsUnavailableAndDeletesNothing) {
  auto loaded = openStore({{"busy_timeout_ms", "0"}});
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(inStatus("done", ExecutionStatus::succeeded, 100)).ok());
  SqliteFile other(databasePath());
  other.execute("BEGIN IMMEDIATE");
  auto purged = store.purgeEndedBefore(1000, 10);
  EXPECT_EQ(purged.status().code(), ErrorCode::unavailable) << purged.status().message();
  other.execute("ROLLBACK");
  EXPECT_TRUE(store.get("done").ok());
  EXPECT_EQ(idsIn(*store.purgeEndedBefore(1000, 10)), (std::vector<std::string>{"done"}));
}

// ---- check --------------------------------------------------------------------------------

TEST_F(StoreTest, CheckIsOkOnAUsableDatabaseAndLeavesNoTransactionOpen) {
  auto loaded = openStore({{"busy_timeout_ms", "0"}});
  auto status = loaded->store->check();
  EXPECT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(loaded->store->check().ok());
  // The probe gave its write lock back: another connection can write at once.
  SqliteFile other(databasePath());
  EXPECT_NO_THROW(other.execute("BEGIN IMMEDIATE; ROLLBACK;"));
  EXPECT_TRUE(loaded->store->create(makeRecord("e1")).ok());
}

TEST_F(StoreTest, CheckIsUnavailableWhileAnotherConnectionHoldsTheWriteLock) {
  auto loaded = openStore({{"busy_timeout_ms", "0"}});
  SqliteFile other(databasePath());
  other.execute("BEGIN IMMEDIATE");
  auto status = loaded->store->check();
  EXPECT_EQ(status.code(), ErrorCode::unavailable) << status.message();
  EXPECT_TRUE(contains(status.message(), databasePath())) << status.message();
  EXPECT_TRUE(contains(status.message(), "locked")) << status.message();
  other.execute("ROLLBACK");
  status = loaded->store->check();
  EXPECT_TRUE(status.ok()) << status.message();
}

}  // namespace
}  // namespace rivet::plugins::storage_sqlite::testing
