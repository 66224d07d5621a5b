// The structured result of SDK v3 (ExecutionRecord::result, ExecutionUpdate::result): stored
// by create() and apply(), read back by every call that returns records, and refused over
// [storage-sqlite] max_result_bytes.
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store_fixture.hpp"

namespace rivet::plugins::storage_sqlite::testing {
namespace {

using sdk::ErrorCode;
using sdk::ExecutionRecord;
using sdk::ExecutionStatus;
using sdk::ExecutionUpdate;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

ExecutionUpdate statusChange(ExecutionStatus status, std::int64_t at_ms) {
  ExecutionUpdate update;
  update.status = status;
  update.at_ms = at_ms;
  return update;
}

// One value of every JSON shape a result can take, by the id of the execution that holds it.
std::vector<std::pair<std::string, nlohmann::json>> sampleResults() {
  return {
      {"null", nullptr},
      {"object", {{"free_bytes", 123456789012LL}, {"ok", true}, {"mount", "/var"}}},
      {"empty-object", nlohmann::json::object()},
      {"array", {1, "two", nullptr, 3.5, false}},
      {"empty-array", nlohmann::json::array()},
      {"string", "just text, h\u00e9llo \u2603 \"quoted\"\n"},
      {"number", -42},
      {"boolean", true},
      {"nested", nlohmann::json::parse(R"({
         "hosts": [{"name": "web-1", "disks": [{"dev": "sda", "used": 0.25}]},
                   {"name": "db-1", "disks": [], "tags": {"k": null}}],
         "depth": {"a": {"b": {"c": [1, [2, [3, [4, {"d": "deepest"}]]]]}}}})")},
  };
}

TEST_F(StoreTest, ResultsOfEveryShapeRoundTripThroughEveryRead) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  const auto samples = sampleResults();
  for (const auto& [id, result] : samples) {
    auto record = makeRecord(id);
    record.idempotency_key = "key-" + id;
    record.result = result;
    ASSERT_TRUE(store.create(record).ok()) << id;
  }

  // A null result is NULL in the file, never the JSON text "null".
  SqliteFile file(databasePath());
  EXPECT_EQ(file.column("SELECT id FROM executions WHERE result IS NULL"),
            (std::vector<std::string>{"null"}));
  EXPECT_EQ(file.scalar("SELECT result FROM executions WHERE id = 'array'"),
            R"([1,"two",null,3.5,false])");

  auto unfinished = store.listUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status().message();
  ASSERT_EQ(unfinished->size(), samples.size());
  auto page = store.list({});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& [id, result] = samples[i];
    auto stored = store.get(id);
    ASSERT_TRUE(stored.ok()) << stored.status().message();
    EXPECT_EQ(stored->result, result) << id;
    EXPECT_EQ(store.getByIdempotencyKey(stored->requester.subject, "key-" + id)->result, result)
        << id;
    EXPECT_EQ(unfinished->at(i).result, result) << id;                     // oldest first
    EXPECT_EQ(page->items[samples.size() - 1 - i].result, result) << id;  // newest first
  }

  // An update without a result keeps the stored one, and purging hands it back.
  for (const auto& [id, result] : samples) {
    auto done = statusChange(ExecutionStatus::succeeded, 50);
    done.ended_at_ms = 50;
    ASSERT_TRUE(store.apply(id, done).ok()) << id;
    EXPECT_EQ(store.get(id)->result, result) << id;
  }
  auto purged = store.purgeEndedBefore(100, 100);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  ASSERT_EQ(purged->size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(purged->at(i).id, samples[i].first);
    EXPECT_EQ(purged->at(i).result, samples[i].second) << samples[i].first;
  }
}

TEST_F(StoreTest, ApplySetsTheResultTogetherWithTheTerminalStatus) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(makeRecord("e1", "linux", "disk_usage", 1000)).ok());
  auto running = statusChange(ExecutionStatus::running, 1001);
  running.pid = 77;
  ASSERT_TRUE(store.apply("e1", running).ok());
  EXPECT_TRUE(store.get("e1")->result.is_null());

  const nlohmann::json result = {{"used_percent", 71}, {"mounts", {"/", "/var"}}};
  auto succeeded = statusChange(ExecutionStatus::succeeded, 1002);
  succeeded.exit_code = 0;
  succeeded.ended_at_ms = 1002;
  succeeded.result = result;
  ASSERT_TRUE(store.apply("e1", succeeded).ok());

  auto stored = store.get("e1");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->status, ExecutionStatus::succeeded);
  EXPECT_EQ(stored->exit_code, 0);
  EXPECT_EQ(stored->pid, 77);
  EXPECT_EQ(stored->result, result);
  EXPECT_EQ(store.transitions("e1")->size(), 3u);

  // list() returns it, with and without a filter.
  ASSERT_TRUE(store.create(makeRecord("e2")).ok());
  auto page = store.list({});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(idsOf(*page), (std::vector<std::string>{"e2", "e1"}));
  EXPECT_TRUE(page->items[0].result.is_null());
  EXPECT_EQ(page->items[1].result, result);
  sdk::ExecutionQuery by_status;
  by_status.status = ExecutionStatus::succeeded;
  auto filtered = store.list(by_status);
  ASSERT_TRUE(filtered.ok()) << filtered.status().message();
  ASSERT_EQ(idsOf(*filtered), (std::vector<std::string>{"e1"}));
  EXPECT_EQ(filtered->items[0].result, result);
}

TEST_F(StoreTest, ApplyWithANullResultClearsAStoredOne) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  auto record = makeRecord("e1");
  record.result = {{"partial", true}};
  ASSERT_TRUE(store.create(record).ok());
  auto cleared = statusChange(ExecutionStatus::failed, 5);
  cleared.result = nlohmann::json();
  ASSERT_TRUE(store.apply("e1", cleared).ok());
  EXPECT_TRUE(store.get("e1")->result.is_null());
  EXPECT_EQ(SqliteFile(databasePath()).scalar("SELECT result IS NULL FROM executions"), "1");
}

// A string of `bytes` bytes of JSON text (the quotes included).
nlohmann::json resultOfSize(std::size_t bytes) { return std::string(bytes - 2, 'x'); }

TEST_F(StoreTest, AResultOverOneMiBIsRefusedAndTheUpdateIsNotApplied) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  constexpr std::size_t kMiB = 1024 * 1024;
  ASSERT_TRUE(store.create(makeRecord("e1", "linux", "disk_usage", 1000)).ok());
  ASSERT_TRUE(store.apply("e1", statusChange(ExecutionStatus::running, 1001)).ok());

  auto too_large = statusChange(ExecutionStatus::succeeded, 1002);
  too_large.exit_code = 0;
  too_large.ended_at_ms = 1002;
  too_large.result = resultOfSize(kMiB + 1);
  auto refused = store.apply("e1", too_large);
  EXPECT_EQ(refused.code(), ErrorCode::too_large) << refused.message();
  EXPECT_TRUE(contains(refused.message(), "result of 1048577 bytes is over the 1 MiB limit"))
      << refused.message();
  EXPECT_TRUE(contains(refused.message(), "'e1'")) << refused.message();

  // Nothing of that update was applied: not the result, not the status change.
  auto stored = store.get("e1");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->status, ExecutionStatus::running);
  EXPECT_FALSE(stored->exit_code.has_value());
  EXPECT_FALSE(stored->ended_at_ms.has_value());
  EXPECT_TRUE(stored->result.is_null());
  EXPECT_EQ(store.transitions("e1")->size(), 2u);

  // Exactly at the limit is fine; the same update goes through.
  too_large.result = resultOfSize(kMiB);
  ASSERT_TRUE(store.apply("e1", too_large).ok());
  EXPECT_EQ(store.get("e1")->status, ExecutionStatus::succeeded);
  EXPECT_EQ(store.get("e1")->result.get<std::string>().size(), kMiB - 2);

  // create() refuses it too, and stores nothing.
  auto record = makeRecord("e2");
  record.result = nlohmann::json::array({resultOfSize(kMiB)});  // 2 bytes of brackets more
  auto created = store.create(record);
  EXPECT_EQ(created.code(), ErrorCode::too_large) << created.message();
  EXPECT_TRUE(contains(created.message(), "result of 1048578 bytes is over the 1 MiB limit"))
      << created.message();
  EXPECT_EQ(store.get("e2").status().code(), ErrorCode::not_found);
  EXPECT_EQ(store.transitions("e2").status().code(), ErrorCode::not_found);
}

TEST_F(StoreTest, MaxResultBytesSetsTheLimit) {
  auto loaded = openStore({{"max_result_bytes", "100"}});
  auto& store = *loaded->store;
  auto record = makeRecord("e1");
  record.result = resultOfSize(101);
  auto refused = store.create(record);
  EXPECT_EQ(refused.code(), ErrorCode::too_large) << refused.message();
  EXPECT_TRUE(contains(refused.message(), "result of 101 bytes is over the 100 bytes limit"))
      << refused.message();
  EXPECT_TRUE(contains(refused.message(), "max_result_bytes")) << refused.message();
  record.result = resultOfSize(100);
  EXPECT_TRUE(store.create(record).ok());

  auto kib = openStore({{"max_result_bytes", "65536"}});
  auto big = makeRecord("e2");
  big.result = resultOfSize(65537);
  EXPECT_TRUE(contains(kib->store->create(big).message(), "over the 64 KiB limit"));

  for (const char* bad : {"0", "-1", "1MiB", "", "99999999999999999999999"}) {
    auto unconfigured = loadStore();
    auto status = configureStore(*unconfigured, {{"max_result_bytes", bad}});
    EXPECT_EQ(status.code(), ErrorCode::invalid_argument) << bad;
    EXPECT_TRUE(contains(status.message(), std::string("max_result_bytes = '") + bad + "'"))
        << status.message();
  }
}

TEST_F(StoreTest, AResultThatIsNotValidJsonTextIsRefused) {
  auto loaded = openStore();
  auto& store = *loaded->store;
  ASSERT_TRUE(store.create(makeRecord("e1")).ok());
  auto update = statusChange(ExecutionStatus::succeeded, 5);
  update.result = std::string("\xff\xfe not UTF-8");
  auto refused = store.apply("e1", update);
  EXPECT_EQ(refused.code(), ErrorCode::invalid_argument) << refused.message();
  EXPECT_EQ(store.get("e1")->status, ExecutionStatus::requested);
  EXPECT_EQ(store.transitions("e1")->size(), 1u);
}

}  // namespace
}  // namespace rivet::plugins::storage_sqlite::testing
