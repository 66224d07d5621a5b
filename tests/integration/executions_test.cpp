// Executions end to end against a real rivetd: real certificates, real SQLite, real
// processes.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "rivetd_test_support.hpp"

namespace rivet::test {
namespace {

class ExecutionsTest : public SharedRivetdTest<ExecutionsTest> {
 public:
  static std::vector<std::string> rivetdDefines() { return {"rivetd.nice=7"}; }

 protected:
  client::Client client_ = clientFor(*rivetd_);
};

// Fields of /proc/<pid>/stat after the command name: [0] is the state.
std::vector<std::string> procStat(int pid) {
  // The process may exit while it is read: readFile does not throw then.
  const std::string text = readFile("/proc/" + std::to_string(pid) + "/stat");
  std::vector<std::string> fields;
  if (text.rfind(')') == std::string::npos) return fields;
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

TEST_F(ExecutionsTest, HealthReportsTheLoadedPlugins) {
  auto health = client_.health();
  ASSERT_TRUE(health.ok()) << health.status().message();
  EXPECT_EQ((*health)["status"], "ok");
  std::set<std::string> names;
  for (const auto& plugin : (*health)["plugins"]) names.insert(plugin["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"storage-sqlite", "transport-https", "shell",
                                           "python-venv", "interpreter-generic"}));
  EXPECT_GE((*health)["packs"]["loaded"].get<int>(), 2);
}

TEST_F(ExecutionsTest, RunsAnActionAndRecordsStatusExitCodeOutputAndRequester) {
  auto started = client_.run("examples.echo_args", {{"message", "hello"}, {"extra", "world"}});
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_EQ((*started)["status"], "requested");
  const auto id = (*started)["id"].get<std::string>();

  auto ended = runToEnd(client_, "examples.echo_args", {{"message", "again"}});
  ASSERT_EQ(ended["status"], "succeeded") << ended.dump();
  EXPECT_EQ(ended["exit_code"], 0);
  EXPECT_NE(ended["requester"]["subject"].get<std::string>().find("CN=rivet-dev-client"),
            std::string::npos)
      << ended.dump();

  auto first = client_.waitForEnd(id, std::chrono::steady_clock::now() + std::chrono::seconds(30),
                                  std::chrono::milliseconds(10));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ((*first)["status"], "succeeded") << first->dump();
  std::vector<std::string> statuses;
  for (const auto& transition : (*first)["transitions"]) statuses.push_back(transition["to"]);
  EXPECT_EQ(statuses, (std::vector<std::string>{"requested", "running", "succeeded"}));

  const auto out = readAll(client_, id);
  EXPECT_NE(out.find("hello"), std::string::npos) << out;
  EXPECT_NE(out.find("world"), std::string::npos) << out;
  EXPECT_NE(out.find("ST2_ACTION_PACK_NAME=examples"), std::string::npos) << out;
  EXPECT_NE(out.find("ST2_ACTION_EXECUTION_ID=" + id), std::string::npos) << out;
  EXPECT_TRUE(std::filesystem::exists(rivetd_->dataDir() / "rivet.db"));
}

TEST_F(ExecutionsTest, AFailingActionRecordsItsExitCodeAndStderr) {
  auto ended = runToEnd(client_, "examples.fail", {{"code", 3}});
  ASSERT_EQ(ended["status"], "failed") << ended.dump();
  EXPECT_EQ(ended["exit_code"], 3);
  EXPECT_NE(ended["error"].get<std::string>().find("exited with code 3"), std::string::npos);
  EXPECT_FALSE(readAll(client_, ended["id"], "stderr").empty());
}

TEST_F(ExecutionsTest, HostileParameterValuesArriveAsPlainArguments) {
  const auto canary = rivetd_->dataDir() / "canary";
  const std::string hostile = "$(touch " + canary.string() + "); `touch " + canary.string() +
                              "` ' \" \n ../../etc/passwd";
  auto ended = runToEnd(client_, "examples.echo_args", {{"message", hostile}});
  ASSERT_EQ(ended["status"], "succeeded") << ended.dump();
  EXPECT_NE(readAll(client_, ended["id"]).find(hostile), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(canary));
}

TEST_F(ExecutionsTest, OutputCanBeReadWhileTheActionRuns) {
  auto started = client_.run("examples.sleep", {{"seconds", 3}});
  ASSERT_TRUE(started.ok()) << started.status().message();
  const auto id = (*started)["id"].get<std::string>();
  client::OutputChunk chunk;
  ASSERT_TRUE(waitUntil([&] {
    auto read = client_.output(id, "stdout");
    if (read.ok()) chunk = *read;
    return read.ok() && !read->bytes.empty();
  }));
  // The action may write before rivetd has recorded it as running: not ended is what counts.
  EXPECT_FALSE(client::isTerminalStatus(chunk.status)) << chunk.status;
  EXPECT_FALSE(chunk.complete);

  auto ended = client_.waitForEnd(id, std::chrono::steady_clock::now() + std::chrono::seconds(30),
                                  std::chrono::milliseconds(20));
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ((*ended)["status"], "succeeded");
  auto last = client_.output(id, "stdout", chunk.next_offset);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(waitUntil([&] {
    auto read = client_.output(id, "stdout", 0);
    return read.ok() && read->complete;
  }));
}

TEST_F(ExecutionsTest, TwentyConcurrentExecutionsAreAllRecorded) {
  constexpr int kCount = 20;
  std::vector<std::string> ids(kCount);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCount; ++i) {
    threads.emplace_back([&, i] {
      auto client = clientFor(*rivetd_);
      auto started = client.run("examples.write_stderr", {{"message", "run " + std::to_string(i)}});
      if (started.ok()) ids[i] = (*started)["id"];
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> distinct(ids.begin(), ids.end());
  distinct.erase("");
  ASSERT_EQ(distinct.size(), static_cast<std::size_t>(kCount));
  for (const auto& id : ids) {
    auto ended = client_.waitForEnd(id, std::chrono::steady_clock::now() + std::chrono::seconds(30),
                                    std::chrono::milliseconds(10));
    ASSERT_TRUE(ended.ok());
    EXPECT_EQ((*ended)["status"], "succeeded") << ended->dump();
  }
  auto listed = client_.list({"examples.write_stderr", "", 500, ""});
  ASSERT_TRUE(listed.ok());
  std::set<std::string> recorded;
  for (const auto& item : (*listed)["items"]) recorded.insert(item["id"]);
  for (const auto& id : ids) EXPECT_TRUE(recorded.contains(id)) << id;
}

TEST_F(ExecutionsTest, HistoryFiltersByActionAndStatusAndPagesNewestFirst) {
  std::vector<std::string> ids;
  for (int code : {0, 4, 0, 5, 0}) {
    auto ended = runToEnd(client_, "examples.fail", {{"code", code}});
    ids.push_back(ended["id"]);
  }
  std::vector<std::string> paged;
  std::string before;
  for (int page = 0; page < 10; ++page) {
    auto listed = client_.list({"examples.fail", "", 2, before});
    ASSERT_TRUE(listed.ok()) << listed.status().message();
    EXPECT_LE((*listed)["items"].size(), 2u);
    for (const auto& item : (*listed)["items"]) {
      EXPECT_EQ(item["action"], "examples.fail");
      paged.push_back(item["id"]);
    }
    if ((*listed)["next_before"].is_null()) break;
    before = (*listed)["next_before"];
  }
  // Newest first: the five just made, in reverse, lead the history of this action.
  ASSERT_GE(paged.size(), ids.size());
  EXPECT_EQ(std::vector<std::string>(paged.begin(), paged.begin() + 5),
            std::vector<std::string>(ids.rbegin(), ids.rend()));

  auto failed = client_.list({"examples.fail", "failed", 500, ""});
  ASSERT_TRUE(failed.ok());
  EXPECT_GE((*failed)["items"].size(), 2u);
  for (const auto& item : (*failed)["items"]) EXPECT_EQ(item["status"], "failed");

  auto unknown_cursor = client_.list({"", "", 10, "no-such-id"});
  ASSERT_FALSE(unknown_cursor.ok());
  ASSERT_TRUE(unknown_cursor.apiError());
  EXPECT_EQ(unknown_cursor.apiError()->code, "unknown_execution");

  auto bad_limit = client_.request("GET", "/v1/executions?limit=abc");
  ASSERT_TRUE(bad_limit.ok());
  EXPECT_EQ(bad_limit->status, 400);
  EXPECT_NE(bad_limit->body.find("invalid_query"), std::string::npos);
}

TEST_F(ExecutionsTest, ActionsRunNicedInTheirOwnProcessGroup) {
  auto started = client_.run("examples.sleep", {{"seconds", 5}});
  ASSERT_TRUE(started.ok());
  const auto id = (*started)["id"].get<std::string>();
  int pid = 0;
  ASSERT_TRUE(waitUntil([&] {
    auto read = client_.get(id);
    if (read.ok() && (*read)["status"] == "running" && (*read)["pid"].is_number()) {
      pid = (*read)["pid"];
    }
    return pid > 0;
  }));
  const auto stat = procStat(pid);
  ASSERT_GT(stat.size(), 17u);
  EXPECT_EQ(stat[2], std::to_string(pid)) << "process group";   // pgrp
  EXPECT_EQ(stat[16], "7") << "nice";                             // nice
  ::kill(-pid, SIGKILL);
  auto ended = client_.waitForEnd(id, std::chrono::steady_clock::now() + std::chrono::seconds(30),
                                  std::chrono::milliseconds(10));
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ((*ended)["status"], "failed");
  EXPECT_EQ((*ended)["signal"], SIGKILL);
}

TEST_F(ExecutionsTest, UnknownExecutionsAre404) {
  auto missing = client_.get("0000-nope");
  ASSERT_TRUE(missing.apiError());
  EXPECT_EQ(missing.apiError()->http_status, 404);
  EXPECT_EQ(missing.apiError()->code, "unknown_execution");
  auto output = client_.output("0000-nope", "stdout");
  ASSERT_TRUE(output.apiError());
  EXPECT_EQ(output.apiError()->code, "unknown_execution");
}

}  // namespace
}  // namespace rivet::test
