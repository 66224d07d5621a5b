// The ExecutionStore contract (sdk/include/rivet/sdk/storage.hpp) as storage-sqlite keeps it.
#include <set>
#include <thread>

#include "store_fixture.hpp"

namespace rivet::plugins::storage_sqlite::testing {
namespace {

using sdk::ErrorCode;
using sdk::ExecutionQuery;
using sdk::ExecutionStatus;
using sdk::ExecutionUpdate;

ExecutionUpdate statusChange(ExecutionStatus status, std::int64_t at_ms, std::string reason = "") {
  ExecutionUpdate update;
  update.status = status;
  update.at_ms = at_ms;
  update.reason = std::move(reason);
  return update;
}

TEST_F(StoreTest, DescriptorDeclaresAStoragePluginAndItsConfigKeys) {
  auto loaded = loadStore();
  const auto& descriptor = *loaded->descriptor;
  rivet::test::expectDescriptor(descriptor, sdk::PluginKind::storage, "storage-sqlite", "0.1.0");
  ASSERT_EQ(descriptor.config_key_count, 4u);
  EXPECT_EQ(rivet::test::configDefaults(descriptor),
            (std::map<std::string, std::string>{{"path", ""},
                                                {"synchronous", "FULL"},
                                                {"busy_timeout_ms", "5000"},
                                                {"max_result_bytes", "1048576"}}));
}

TEST_F(StoreTest, CallsBeforeConfigureAreUnavailable) {
  auto loaded = loadStore();
  EXPECT_EQ(loaded->store->create(makeRecord("e1")).code(), ErrorCode::unavailable);
  EXPECT_EQ(loaded->store->get("e1").status().code(), ErrorCode::unavailable);
  EXPECT_EQ(loaded->store->list({}).status().code(), ErrorCode::unavailable);
  EXPECT_EQ(loaded->store->getByIdempotencyKey("CN=alice,O=ops", "k").status().code(),
            ErrorCode::unavailable);
  EXPECT_EQ(loaded->store->listUnfinished().status().code(), ErrorCode::unavailable);
  EXPECT_EQ(loaded->store->purgeEndedBefore(1, 1).status().code(), ErrorCode::unavailable);
  EXPECT_EQ(loaded->store->check().code(), ErrorCode::unavailable);
}

TEST_F(StoreTest, InvalidConfigValuesAreRefusedByName) {
  auto loaded = loadStore();
  auto synchronous = configureStore(*loaded, {{"synchronous", "OFF"}});
  EXPECT_EQ(synchronous.code(), ErrorCode::invalid_argument);
  EXPECT_NE(synchronous.message().find("synchronous = 'OFF'"), std::string::npos)
      << synchronous.message();
  auto timeout = configureStore(*loaded, {{"busy_timeout_ms", "5s"}});
  EXPECT_EQ(timeout.code(), ErrorCode::invalid_argument);
  EXPECT_NE(timeout.message().find("busy_timeout_ms"), std::string::npos) << timeout.message();
  auto memory = configureStore(*loaded, {{"path", ":memory:"}});
  EXPECT_EQ(memory.code(), ErrorCode::invalid_argument);
  EXPECT_NE(memory.message().find("WAL"), std::string::npos) << memory.message();
}

TEST_F(StoreTest, CreateThenGetReturnsEveryField) {
  auto loaded = openStore();
  auto record = makeRecord("e1");
  record.status = ExecutionStatus::running;
  record.exit_code = 3;
  record.term_signal = 9;
  record.error = "killed";
  record.started_at_ms = 1'700'000'000'100;
  record.ended_at_ms = 1'700'000'000'200;
  record.pid = 4242;
  record.parameters["unicode"] = "h\u00e9llo \u2603";
  record.timeout_seconds = 90;
  record.idempotency_key = "deploy-2024-06-01 \u2603";
  record.pack_version = "1.2.3";
  record.pack_source = "store";
  record.pack_digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
  ASSERT_TRUE(loaded->store->create(record).ok());

  auto stored = loaded->store->get("e1");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->id, record.id);
  EXPECT_EQ(stored->pack, record.pack);
  EXPECT_EQ(stored->action, record.action);
  EXPECT_EQ(stored->parameters, record.parameters);
  EXPECT_EQ(stored->requester.subject, record.requester.subject);
  EXPECT_EQ(stored->requester.sans, record.requester.sans);
  EXPECT_EQ(stored->status, record.status);
  EXPECT_EQ(stored->exit_code, record.exit_code);
  EXPECT_EQ(stored->term_signal, record.term_signal);
  EXPECT_EQ(stored->error, record.error);
  EXPECT_EQ(stored->created_at_ms, record.created_at_ms);
  EXPECT_EQ(stored->started_at_ms, record.started_at_ms);
  EXPECT_EQ(stored->ended_at_ms, record.ended_at_ms);
  EXPECT_EQ(stored->pid, record.pid);
  EXPECT_EQ(stored->stdout_path, record.stdout_path);
  EXPECT_EQ(stored->stderr_path, record.stderr_path);
  EXPECT_EQ(stored->timeout_seconds, 90);
  EXPECT_EQ(stored->idempotency_key, record.idempotency_key);
  EXPECT_EQ(stored->pack_version, "1.2.3");
  EXPECT_EQ(stored->pack_source, "store");
  EXPECT_EQ(stored->pack_digest, record.pack_digest);

  // list() reads the same columns.
  auto page = loaded->store->list({});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].timeout_seconds, 90);
  EXPECT_EQ(page->items[0].idempotency_key, record.idempotency_key);
  EXPECT_EQ(page->items[0].pack_version, "1.2.3");
  EXPECT_EQ(page->items[0].pack_source, "store");
  EXPECT_EQ(page->items[0].pack_digest, record.pack_digest);

  auto history = loaded->store->transitions("e1");
  ASSERT_TRUE(history.ok()) << history.status().message();
  ASSERT_EQ(history->size(), 1u);
  EXPECT_FALSE(history->at(0).from.has_value());
  EXPECT_EQ(history->at(0).to, ExecutionStatus::running);
  EXPECT_EQ(history->at(0).at_ms, record.created_at_ms);
}

TEST_F(StoreTest, UnsetOptionalFieldsComeBackUnset) {
  auto loaded = openStore();
  ASSERT_TRUE(loaded->store->create(makeRecord("e1")).ok());
  auto stored = loaded->store->get("e1");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->exit_code || stored->term_signal || stored->pid || stored->started_at_ms ||
               stored->ended_at_ms || stored->usage);
  EXPECT_EQ(stored->error, "");
  EXPECT_EQ(stored->timeout_seconds, 0);
  EXPECT_EQ(stored->pack_version, "");
  EXPECT_EQ(stored->pack_source, "");
  EXPECT_EQ(stored->pack_digest, "");
  EXPECT_EQ(stored->idempotency_key, "");
}

TEST_F(StoreTest, CreateWithAnExistingIdIsAConflictAndChangesNothing) {
  auto loaded = openStore();
  ASSERT_TRUE(loaded->store->create(makeRecord("e1", "linux", "disk_usage")).ok());
  auto again = loaded->store->create(makeRecord("e1", "other", "thing"));
  EXPECT_EQ(again.code(), ErrorCode::conflict);
  EXPECT_NE(again.message().find("e1"), std::string::npos);
  EXPECT_EQ(loaded->store->get("e1")->pack, "linux");
  EXPECT_EQ(loaded->store->transitions("e1")->size(), 1u);
}

TEST_F(StoreTest, ApplyUpdatesTheRecordAndAppendsTransitionsOldestFirst) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(makeRecord("e1", "linux", "disk_usage", 1000)).ok());

  ASSERT_TRUE(store.apply("e1", statusChange(ExecutionStatus::scheduled, 1001)).ok());
  auto running = statusChange(ExecutionStatus::running, 1002, "slot free");
  running.pid = 777;
  running.started_at_ms = 1002;
  ASSERT_TRUE(store.apply("e1", running).ok());
  auto succeeded = statusChange(ExecutionStatus::succeeded, 1003, "exited");
  succeeded.exit_code = 0;
  succeeded.ended_at_ms = 1003;
  ASSERT_TRUE(store.apply("e1", succeeded).ok());

  auto stored = store.get("e1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status, ExecutionStatus::succeeded);
  EXPECT_EQ(stored->pid, 777);  // unset in the last update, so kept
  EXPECT_EQ(stored->started_at_ms, 1002);
  EXPECT_EQ(stored->ended_at_ms, 1003);
  EXPECT_EQ(stored->exit_code, 0);
  EXPECT_EQ(stored->error, "");  // a reason only becomes the error on a failure

  auto history = store.transitions("e1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 4u);
  const std::vector<std::optional<ExecutionStatus>> from{std::nullopt, ExecutionStatus::requested,
                                                         ExecutionStatus::scheduled,
                                                         ExecutionStatus::running};
  const std::vector<ExecutionStatus> to{ExecutionStatus::requested, ExecutionStatus::scheduled,
                                        ExecutionStatus::running, ExecutionStatus::succeeded};
  for (std::size_t i = 0; i < history->size(); ++i) {
    EXPECT_EQ(history->at(i).from, from[i]) << i;
    EXPECT_EQ(history->at(i).to, to[i]) << i;
    EXPECT_EQ(history->at(i).at_ms, 1000 + static_cast<std::int64_t>(i)) << i;
  }
  EXPECT_EQ(history->at(2).reason, "slot free");
}

TEST_F(StoreTest, AFailureReasonBecomesTheRecordError) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  for (auto status : {ExecutionStatus::failed, ExecutionStatus::timeout, ExecutionStatus::canceled,
                      ExecutionStatus::abandoned}) {
    const std::string id(sdk::toString(status));
    ASSERT_TRUE(store.create(makeRecord(id)).ok());
    ASSERT_TRUE(store.apply(id, statusChange(ExecutionStatus::canceling, 1, "asked")).ok());
    ASSERT_TRUE(store.apply(id, statusChange(status, 2, "because " + id)).ok());
    EXPECT_EQ(store.get(id)->error, "because " + id);
  }
}

TEST_F(StoreTest, ApplyOnATerminalExecutionIsAConflictAndChangesNothing) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(makeRecord("e1")).ok());
  ASSERT_TRUE(store.apply("e1", statusChange(ExecutionStatus::failed, 5, "boom")).ok());

  auto late = statusChange(ExecutionStatus::running, 6);
  late.pid = 1;
  auto status = store.apply("e1", late);
  EXPECT_EQ(status.code(), ErrorCode::conflict);
  EXPECT_NE(status.message().find("failed"), std::string::npos) << status.message();
  EXPECT_EQ(store.get("e1")->status, ExecutionStatus::failed);
  EXPECT_FALSE(store.get("e1")->pid.has_value());
  EXPECT_EQ(store.transitions("e1")->size(), 2u);
}

TEST_F(StoreTest, UnknownIdsAreNotFound) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  EXPECT_EQ(store.apply("nope", statusChange(ExecutionStatus::running, 1)).code(),
            ErrorCode::not_found);
  EXPECT_EQ(store.get("nope").status().code(), ErrorCode::not_found);
  EXPECT_EQ(store.transitions("nope").status().code(), ErrorCode::not_found);
}

TEST_F(StoreTest, ListFiltersNewestFirst) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(makeRecord("a1", "linux", "disk_usage")).ok());
  ASSERT_TRUE(store.create(makeRecord("b1", "linux", "uptime")).ok());
  ASSERT_TRUE(store.create(makeRecord("c1", "nginx", "reload")).ok());
  ASSERT_TRUE(store.create(makeRecord("a2", "linux", "disk_usage")).ok());
  ASSERT_TRUE(store.apply("b1", statusChange(ExecutionStatus::running, 1)).ok());
  ASSERT_TRUE(store.apply("c1", statusChange(ExecutionStatus::running, 1)).ok());

  auto all = store.list({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(idsOf(*all), (std::vector<std::string>{"a2", "c1", "b1", "a1"}));
  EXPECT_FALSE(all->next_before.has_value());

  ExecutionQuery pack;
  pack.pack = "linux";
  EXPECT_EQ(idsOf(*store.list(pack)), (std::vector<std::string>{"a2", "b1", "a1"}));

  ExecutionQuery action = pack;
  action.action = "disk_usage";
  EXPECT_EQ(idsOf(*store.list(action)), (std::vector<std::string>{"a2", "a1"}));

  ExecutionQuery running;
  running.status = ExecutionStatus::running;
  EXPECT_EQ(idsOf(*store.list(running)), (std::vector<std::string>{"c1", "b1"}));

  ExecutionQuery running_in_pack = running;
  running_in_pack.pack = "linux";
  EXPECT_EQ(idsOf(*store.list(running_in_pack)), (std::vector<std::string>{"b1"}));

  ExecutionQuery action_alone;
  action_alone.action = "disk_usage";
  EXPECT_EQ(store.list(action_alone).status().code(), ErrorCode::invalid_argument);
}

TEST_F(StoreTest, ListPagesThroughTheCursor) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  std::vector<std::string> newest_first;
  for (int i = 0; i < 8; ++i) {
    const std::string id = "x" + std::to_string(i);
    ASSERT_TRUE(store.create(makeRecord(id, "linux", "disk_usage")).ok());
    ASSERT_TRUE(store.create(makeRecord("other" + std::to_string(i), "linux", "uptime")).ok());
    newest_first.insert(newest_first.begin(), id);
  }

  ExecutionQuery query;
  query.pack = "linux";
  query.action = "disk_usage";
  query.limit = 3;
  std::vector<std::string> seen;
  std::vector<std::size_t> page_sizes;
  while (true) {
    auto page = store.list(query);
    ASSERT_TRUE(page.ok()) << page.status().message();
    page_sizes.push_back(page->items.size());
    for (const auto& id : idsOf(*page)) seen.push_back(id);
    if (!page->next_before) break;
    EXPECT_EQ(*page->next_before, page->items.back().id);
    query.before = page->next_before;
    ASSERT_LT(page_sizes.size(), 10u) << "the cursor does not advance";
  }
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{3, 3, 2}));
  EXPECT_EQ(seen, newest_first);

  // A page that ends exactly at the last row says so.
  query.before = "x6";
  query.limit = 6;
  auto exact = store.list(query);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->items.size(), 6u);
  EXPECT_FALSE(exact->next_before.has_value());

  query.before = "no-such-id";
  EXPECT_EQ(store.list(query).status().code(), ErrorCode::not_found);
}

TEST_F(StoreTest, ConcurrentCreatesAndReadsAreAllServed) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::vector<std::string>> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, &failures, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (auto status = store.create(makeRecord(id, "pack" + std::to_string(t))); !status.ok()) {
          failures[t].push_back(id + ": " + status.message());
        }
        if (auto read = store.get(id); !read.ok()) {
          failures[t].push_back(id + " read: " + read.status().message());
        }
        ExecutionQuery newest;
        newest.limit = 5;
        if (auto page = store.list(newest); !page.ok()) {
          failures[t].push_back(id + " list: " + page.status().message());
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& thread_failures : failures)
    EXPECT_EQ(thread_failures, std::vector<std::string>{});

  ExecutionQuery everything;
  everything.limit = 1000;
  auto page = store.list(everything);
  ASSERT_TRUE(page.ok());
  const auto ids = idsOf(*page);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  for (const auto& id : ids) ASSERT_EQ(store.transitions(id)->size(), 1u) << id;
}

}  // namespace
}  // namespace rivet::plugins::storage_sqlite::testing
