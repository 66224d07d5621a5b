// Executions that can be stopped, watched live, and survive the agent (issue 3), against the
// real rivetd, its real rivet-shim supervisors and real process trees.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "rivetd_test_support.hpp"

namespace rivet::test {
namespace {

using namespace std::chrono_literals;

nlohmann::json waitForStatus(client::Client& client, const std::string& id,
                             std::chrono::seconds timeout = 30s) {
  auto ended = client.waitForEnd(id, std::chrono::steady_clock::now() + timeout, 10ms);
  EXPECT_TRUE(ended.ok()) << ended.status().message();
  return ended.ok() ? *ended : nlohmann::json{};
}

std::string startAndWaitForOutput(client::Client& client, const std::string& ref,
                                  const nlohmann::json& parameters, const std::string& text,
                                  client::RunOptions options = {}) {
  auto started = client.run(ref, parameters, options);
  EXPECT_TRUE(started.ok()) << started.status().message();
  if (!started.ok()) return "";
  const std::string id = (*started)["id"];
  EXPECT_TRUE(waitUntil([&] {
    auto out = client.output(id, "stdout");
    return out.ok() && out->bytes.find(text) != std::string::npos;
  })) << "no '" << text << "' in the output of " << id;
  return id;
}

TEST(ExecutionControl, ATimeoutStopsTheWholeTree) {
  RivetdProcess rivetd({"rivetd.kill_grace_seconds=2"});
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  client::RunOptions options;
  options.timeout_seconds = 1;
  const auto id = startAndWaitForOutput(client, "examples.spawn_tree", nlohmann::json::object(),
                                        "tree started", options);
  ASSERT_FALSE(id.empty());
  EXPECT_GE(processesOf(id).size(), 3u) << "the tree did not start as expected";
  const auto ended = waitForStatus(client, id);
  EXPECT_EQ(ended["status"], "timeout") << ended.dump();
  EXPECT_EQ(ended["timeout_seconds"], 1);
  EXPECT_NE(ended["error"].get<std::string>().find("timed out"), std::string::npos);
  EXPECT_TRUE(processesOf(id).empty()) << "a process of the tree survived the timeout";
}

TEST(ExecutionControl, CancelStopsTheTreeAndAFinishedOneIsAConflict) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  const auto id = startAndWaitForOutput(client, "examples.spawn_tree", nlohmann::json::object(),
                                        "tree started");
  ASSERT_FALSE(id.empty());
  auto canceling = client.cancel(id);
  ASSERT_TRUE(canceling.ok()) << canceling.status().message();
  EXPECT_TRUE((*canceling)["status"] == "canceling" || (*canceling)["status"] == "canceled");
  const auto ended = waitForStatus(client, id);
  EXPECT_EQ(ended["status"], "canceled") << ended.dump();
  EXPECT_TRUE(processesOf(id).empty()) << "a process of the tree survived cancel";

  auto again = client.cancel(id);
  ASSERT_TRUE(again.apiError());
  EXPECT_EQ(again.apiError()->http_status, 409);
  EXPECT_EQ(again.apiError()->code, "not_cancelable");
}

TEST(ExecutionControl, AQueuedExecutionIsCanceledBeforeItStarts) {
  RivetdProcess rivetd({"rivetd.max_running=1"});
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  const auto blocker = startAndWaitForOutput(client, "examples.spawn_tree",
                                             nlohmann::json::object(), "tree started");
  auto queued = client.run("examples.echo_args", {{"message", "never"}});
  ASSERT_TRUE(queued.ok());
  const std::string id = (*queued)["id"];
  ASSERT_TRUE(waitUntil([&] {
    auto read = client.get(id);
    return read.ok() && (*read)["status"] == "scheduled";
  }));
  auto canceled = client.cancel(id);
  ASSERT_TRUE(canceled.ok()) << canceled.status().message();
  EXPECT_EQ((*canceled)["status"], "canceled");
  EXPECT_TRUE(client.cancel(blocker).ok());
  EXPECT_EQ(waitForStatus(client, blocker)["status"], "canceled");
}

TEST(ExecutionControl, AFollowerSeesEachLineWithin100ms) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  auto started = client.run("examples.ticker", {{"count", 15}});
  ASSERT_TRUE(started.ok());
  const std::string id = (*started)["id"];

  std::string received;
  std::vector<std::int64_t> delays_ms;
  auto follower = clientFor(rivetd);
  auto next = follower.follow(id, "stdout", 0, [&](std::string_view bytes) {
    const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    received.append(bytes);
    std::size_t end;
    while ((end = received.find('\n')) != std::string::npos) {
      std::istringstream line(received.substr(0, end));
      received.erase(0, end + 1);
      std::string tick;
      int n = 0;
      std::int64_t printed_ns = 0;
      if (line >> tick >> n >> printed_ns) delays_ms.push_back((now_ns - printed_ns) / 1'000'000);
    }
  });
  ASSERT_TRUE(next.ok()) << next.status().message();
  ASSERT_EQ(delays_ms.size(), 15u);
  std::sort(delays_ms.begin(), delays_ms.end());
  std::cout << "follow latency ms: median " << delays_ms[7] << ", max " << delays_ms.back()
            << "\n";
  EXPECT_LT(delays_ms[7], 100) << "median latency";
  EXPECT_EQ(waitForStatus(client, id)["status"], "succeeded");
}

TEST(ExecutionControl, FollowingFromAnOffsetMissesNothingAndRepeatsNothing) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  auto started = client.run("examples.ticker", {{"count", 8}});
  ASSERT_TRUE(started.ok());
  const std::string id = (*started)["id"];
  // Read the first part, then "reconnect" from where that left off while it still runs.
  client::OutputChunk first;
  ASSERT_TRUE(waitUntil([&] {
    auto read = client.output(id, "stdout");
    if (read.ok()) first = *read;
    return read.ok() && first.bytes.find("tick 2 ") != std::string::npos;
  }));
  std::string rest;
  auto next = client.follow(id, "stdout", first.next_offset,
                            [&](std::string_view bytes) { rest.append(bytes); });
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(waitForStatus(client, id)["status"], "succeeded");
  EXPECT_EQ(first.bytes + rest, readAll(client, id));
  EXPECT_EQ(*next, (first.bytes + rest).size());
}

// A running action survives its rivetd, whichever way rivetd goes, and the next rivetd
// records its true end with its full output.
void expectRestartKeepsTheAction(int signal) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  std::string id;
  {
    auto client = clientFor(rivetd);
    id = startAndWaitForOutput(client, "examples.sleep", {{"seconds", 3}}, "tick 1/3");
    ASSERT_FALSE(id.empty());
  }
  rivetd.stop(signal);
  EXPECT_FALSE(processesOf(id).empty()) << "the action died with rivetd";
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  const auto ended = waitForStatus(client, id);
  EXPECT_EQ(ended["status"], "succeeded") << ended.dump() << rivetd.log();
  EXPECT_EQ(ended["exit_code"], 0);
  EXPECT_EQ(readAll(client, id), "tick 1/3\ntick 2/3\ntick 3/3\ndone\n");
}

TEST(ExecutionControl, AnActionSurvivesARestartOfRivetd) { expectRestartKeepsTheAction(SIGTERM); }

TEST(ExecutionControl, AnActionSurvivesRivetdBeingKilled) { expectRestartKeepsTheAction(SIGKILL); }

TEST(ExecutionControl, AnExecutionWhoseSupervisorDiedWithRivetdIsAbandonedWithAReason) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  std::string id;
  {
    auto client = clientFor(rivetd);
    id = startAndWaitForOutput(client, "examples.spawn_tree", nlohmann::json::object(),
                               "tree started");
    ASSERT_FALSE(id.empty());
  }
  rivetd.stop(SIGKILL);
  // The supervisor goes too (a host-wide OOM kill, say): nothing will ever report the end.
  std::filesystem::path supervisor_file;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(rivetd.dataDir() / "executions")) {
    if (entry.path().filename() == "supervisor.json" &&
        entry.path().parent_path().filename() == id) {
      supervisor_file = entry.path();
    }
  }
  ASSERT_FALSE(supervisor_file.empty());
  std::ifstream in(supervisor_file);
  const pid_t shim = nlohmann::json::parse(in)["pid"];
  ASSERT_EQ(::kill(shim, SIGKILL), 0);
  ASSERT_TRUE(waitUntil([&] { return ::kill(shim, 0) != 0; }));

  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  const auto ended = waitForStatus(client, id);
  EXPECT_EQ(ended["status"], "abandoned") << ended.dump();
  EXPECT_NE(ended["error"].get<std::string>().find("supervisor"), std::string::npos)
      << ended.dump();
  for (pid_t pid : processesOf(id)) ::kill(pid, SIGKILL);
}

TEST(ExecutionControl, MetricsCountExecutionsByActionAndStatus) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  EXPECT_EQ(runToEnd(client, "examples.fail", {{"code", 2}})["status"], "failed");
  EXPECT_EQ(runToEnd(client, "examples.echo_args", {{"message", "m"}})["status"], "succeeded");
  auto metrics = client.request("GET", "/v1/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->status, 200);
  const auto& text = metrics->body;
  EXPECT_NE(text.find(R"(rivet_executions_total{action="examples.fail",status="failed"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(rivet_executions_total{action="examples.echo_args",status="succeeded"} 1)"),
      std::string::npos);
  EXPECT_NE(text.find("rivet_execution_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(text.find("rivet_executions_running 0"), std::string::npos);
  EXPECT_NE(text.find("rivet_process_resident_memory_bytes"), std::string::npos);
}

TEST(ExecutionControl, NoAcceptedExecutionIsLostAcrossRepeatedKills) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  std::atomic<std::uint16_t> port{rivetd.port()};
  std::atomic<bool> done{false};
  std::map<std::string, std::string> accepted;  // idempotency key -> execution id
  std::mutex accepted_mutex;

  std::thread submitter([&] {
    const auto pki = client::devPkiFiles(rivetd.pkiDir().string());
    for (int i = 0; i < 200; ++i) {
      const auto key = "loop-" + std::to_string(i);
      client::RunOptions options;
      options.idempotency_key = key;
      // Retried with the same key until accepted: a retry must never run it twice.
      for (int attempt = 0; attempt < 400; ++attempt) {
        client::Client client(client::Endpoint{"127.0.0.1", port.load()},
                              client::TlsFiles{pki.ca_cert, pki.client_cert, pki.client_key});
        auto started = client.run("examples.echo_args", {{"message", key}}, options);
        if (started.ok()) {
          std::lock_guard lock(accepted_mutex);
          accepted[key] = (*started)["id"];
          break;
        }
        std::this_thread::sleep_for(5ms);  // pacing a retry, not synchronisation
      }
    }
    done = true;
  });
  for (int kill = 0; kill < 4 && !done; ++kill) {
    waitUntil([&] {
      std::lock_guard lock(accepted_mutex);
      return done || accepted.size() >= static_cast<std::size_t>(30 * (kill + 1));
    });
    rivetd.stop(SIGKILL);
    ASSERT_TRUE(rivetd.start()) << rivetd.log();
    port = rivetd.port();
  }
  submitter.join();
  ASSERT_EQ(accepted.size(), 200u);

  auto client = clientFor(rivetd);
  std::set<std::string> ids;
  for (const auto& [key, id] : accepted) {
    ids.insert(id);
    const auto ended = waitForStatus(client, id);
    EXPECT_EQ(ended["status"], "succeeded") << key << ": " << ended.dump();
  }
  EXPECT_EQ(ids.size(), 200u) << "two keys share an execution";
  std::size_t recorded = 0;
  std::string before;
  for (;;) {
    auto page = client.list({"examples.echo_args", "", 500, before});
    ASSERT_TRUE(page.ok());
    recorded += (*page)["items"].size();
    if ((*page)["next_before"].is_null()) break;
    before = (*page)["next_before"];
  }
  EXPECT_EQ(recorded, 200u) << "an execution is missing or was run twice";
}

TEST(ExecutionControl, BackPressureRunsOrRefusesEveryRequestAndNoneVanishes) {
  RivetdProcess rivetd({"rivetd.max_running=4", "rivetd.max_queued=20"});
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  std::atomic<int> rejected{0};
  std::mutex ids_mutex;
  std::vector<std::string> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    threads.emplace_back([&] {
      auto client = clientFor(rivetd);
      for (int i = 0; i < 10; ++i) {
        auto started = client.run("examples.sleep", {{"seconds", 1}});
        if (started.ok()) {
          std::lock_guard lock(ids_mutex);
          ids.push_back((*started)["id"]);
        } else if (started.apiError() && started.apiError()->http_status == 429) {
          ++rejected;
        } else {
          ADD_FAILURE() << started.status().message();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ids.size() + static_cast<std::size_t>(rejected.load()), 100u);
  EXPECT_GT(rejected.load(), 0) << "the queue bound never applied";
  EXPECT_LE(ids.size(), 100u);

  auto client = clientFor(rivetd);
  std::vector<std::pair<std::int64_t, int>> edges;  // (time, +1 start / -1 end)
  bool saw_scheduled = false;
  for (const auto& id : ids) {
    const auto ended = waitForStatus(client, id, 120s);
    ASSERT_EQ(ended["status"], "succeeded") << ended.dump();
    for (const auto& transition : ended["transitions"]) {
      saw_scheduled = saw_scheduled || transition["to"] == "scheduled";
    }
    auto stamp = [](const std::string& rfc3339) {
      std::tm tm{};
      strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
      return static_cast<std::int64_t>(timegm(&tm)) * 1000 + std::stoi(rfc3339.substr(20, 3));
    };
    edges.emplace_back(stamp(ended["started_at"]), +1);
    edges.emplace_back(stamp(ended["ended_at"]), -1);
  }
  EXPECT_TRUE(saw_scheduled);
  std::sort(edges.begin(), edges.end(), [](auto a, auto b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  });
  int running = 0;
  int most = 0;
  for (const auto& [at, delta] : edges) most = std::max(most, running += delta);
  EXPECT_LE(most, 4) << "more than max_running executions overlapped";
}

TEST(ExecutionControl, APostThatWaitsAnswersOnceTheExecutionHasEnded) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  const std::string body =
      R"({"action": "examples.echo_args", "parameters": {"message": "waited"}, "wait": 30})";
  auto answer = client.request("POST", "/v1/executions", body, {{"Idempotency-Key", "wait-1"}});
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->status, 200) << answer->body;
  const auto ended = nlohmann::json::parse(answer->body);
  EXPECT_EQ(ended["status"], "succeeded") << ended.dump();
  EXPECT_EQ(ended["exit_code"], 0);
  EXPECT_FALSE(ended["ended_at"].is_null());
  EXPECT_EQ(answer->header("Location"), "/v1/executions/" + ended["id"].get<std::string>());
  auto output = client.output(ended["id"].get<std::string>(), "stdout");
  ASSERT_TRUE(output.ok());
  EXPECT_TRUE(output->complete);
  EXPECT_NE(output->bytes.find("waited"), std::string::npos) << output->bytes;

  // The same key again: the ended execution, not a second one.
  auto replay = client.request("POST", "/v1/executions", body, {{"Idempotency-Key", "wait-1"}});
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->header("Idempotency-Replayed"), "true");
  EXPECT_EQ(nlohmann::json::parse(replay->body)["id"], ended["id"]);
}

TEST(ExecutionControl, APostThatWaitsAnswersWhenTheWaitIsOverIfItStillRuns) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  client::RunOptions options;
  options.wait_seconds = 1;
  const auto asked = std::chrono::steady_clock::now();
  auto started = client.run("examples.sleep", {{"seconds", 30}}, options);
  const auto waited = std::chrono::steady_clock::now() - asked;
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_EQ((*started)["status"], "running") << started->dump();
  EXPECT_GE(waited, 1s);
  EXPECT_LT(waited, 10s);
  // Other requests are served while a POST waits, on the same rivetd.
  const std::string id = (*started)["id"];
  auto other = clientFor(rivetd);
  options.wait_seconds = 20;
  std::atomic<bool> answered{false};
  std::thread waiting([&] {
    auto ended = other.run("examples.sleep", {{"seconds", 30}}, options);
    answered = true;
    EXPECT_TRUE(ended.ok());
    if (ended.ok()) {
      EXPECT_EQ((*ended)["status"], "canceled") << ended->dump();
    }
  });
  ASSERT_TRUE(waitUntil([&] {
    auto list = client.list({"examples.sleep", "running", 10, ""});
    return list.ok() && (*list)["items"].size() == 2;
  }));
  EXPECT_FALSE(answered);
  // Canceling ends the second one: its waiting POST answers with the end, long before 20 s.
  auto list = client.list({"examples.sleep", "running", 10, ""});
  ASSERT_TRUE(list.ok());
  for (const auto& execution : (*list)["items"]) {
    ASSERT_TRUE(client.cancel(execution["id"].get<std::string>()).ok());
  }
  waiting.join();
  EXPECT_TRUE(answered);
  EXPECT_EQ(waitForStatus(client, id)["status"], "canceled");
}

TEST(ExecutionControl, StoppingRivetdWhileAPostWaitsClosesItAtOnceAndTheActionRunsOn) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  std::atomic<bool> answered{false};
  rivet::sdk::Status outcome;
  std::thread waiting([&] {
    auto waiter = clientFor(rivetd);
    client::RunOptions options;
    options.wait_seconds = 60;
    auto ended = waiter.run("examples.sleep", {{"seconds", 30}}, options);
    outcome = ended.status();
    answered = true;
  });
  std::string id;
  ASSERT_TRUE(waitUntil([&] {
    auto list = client.list({"examples.sleep", "running", 10, ""});
    if (!list.ok() || (*list)["items"].empty()) return false;
    id = (*list)["items"][0]["id"];
    return true;
  }));
  const auto stopping = std::chrono::steady_clock::now();
  EXPECT_EQ(rivetd.stop(), 0) << rivetd.log();
  waiting.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 15s) << "rivetd held the waiting POST";
  EXPECT_TRUE(answered);
  EXPECT_FALSE(outcome.ok()) << "a stopped rivetd cannot have answered with the end";
  // The action outlives rivetd, as every action does; the next rivetd re-adopts it.
  EXPECT_FALSE(processesOf(id).empty());
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto again = clientFor(rivetd);
  ASSERT_TRUE(again.cancel(id).ok());
  EXPECT_EQ(waitForStatus(again, id)["status"], "canceled");
}

TEST(ExecutionControl, AWaitOutOfRangeIsRefusedAndRunsNothing) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  for (const std::string wait : {"-1", "61", "\"5\"", "1.5", "null"}) {
    auto answer = client.request(
        "POST", "/v1/executions",
        R"({"action": "examples.echo_args", "parameters": {"message": "x"}, "wait": )" + wait + "}");
    ASSERT_TRUE(answer.ok());
    EXPECT_EQ(answer->status, 400) << wait << ": " << answer->body;
    EXPECT_NE(answer->body.find("'wait' must be an integer number of seconds from 0 to 60"),
              std::string::npos)
        << answer->body;
  }
  auto listed = client.list({"examples.echo_args", "", 10, ""});
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE((*listed)["items"].empty());
}

TEST(ExecutionControl, ARetriedPostWithTheSameIdempotencyKeyRunsOnce) {
  RivetdProcess rivetd;
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  const std::string body = R"({"action": "examples.echo_args", "parameters": {"message": "once"}})";
  const client::Headers headers{{"Content-Type", "application/json"},
                                {"Idempotency-Key", "same-key-1"}};
  auto first = client.request("POST", "/v1/executions", body, headers);
  auto second = client.request("POST", "/v1/executions", body, headers);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->status, 202);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->header("Idempotency-Replayed"), "true");
  EXPECT_EQ(nlohmann::json::parse(first->body)["id"], nlohmann::json::parse(second->body)["id"]);
  auto listed = client.list({"examples.echo_args", "", 500, ""});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)["items"].size(), 1u);

  auto other = client.request(
      "POST", "/v1/executions", R"({"action": "examples.fail", "parameters": {}})", headers);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->status, 409);
  EXPECT_NE(other->body.find("idempotency_key_reused"), std::string::npos);
}

TEST(ExecutionControl, OutputIsCompressedAfterADayAndStillReadable) {
  // compress_after=0s stands in for "a day later": the clock is moved by the config.
  RivetdProcess rivetd({"rivetd.compress_after=0s", "rivetd.lifecycle_interval=1s"});
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  const auto ended = runToEnd(client, "examples.sleep", {{"seconds", 1}});
  ASSERT_EQ(ended["status"], "succeeded");
  const auto dir = std::filesystem::path(rivetd.dataDir()) / "executions";
  std::filesystem::path compressed;
  ASSERT_TRUE(waitUntil([&] {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.path().filename() == "stdout.zst" &&
          entry.path().parent_path().filename() == ended["id"].get<std::string>()) {
        compressed = entry.path();
      }
    }
    return !compressed.empty() && !std::filesystem::exists(compressed.parent_path() / "stdout");
  })) << rivetd.log();
  EXPECT_EQ(readAll(client, ended["id"]), "tick 1/1\ndone\n");
}

TEST(ExecutionControl, HistoryOlderThanTheRetentionIsPurgedWithItsFiles) {
  RivetdProcess rivetd({"rivetd.retention=1s", "rivetd.lifecycle_interval=1s"});
  ASSERT_TRUE(rivetd.start()) << rivetd.log();
  auto client = clientFor(rivetd);
  const auto ended = runToEnd(client, "examples.echo_args", {{"message", "old"}});
  ASSERT_EQ(ended["status"], "succeeded");
  const std::string id = ended["id"];
  ASSERT_TRUE(waitUntil([&] {
    auto read = client.get(id);
    return read.apiError() && read.apiError()->http_status == 404;
  })) << rivetd.log();
  // The rows go first, in one transaction, then their files: the directory follows shortly.
  const auto dir_left = [&] {
    // With error codes: the purge may remove a directory while it is being walked.
    std::error_code error;
    std::filesystem::recursive_directory_iterator walk(rivetd.dataDir() / "executions", error);
    for (; walk != std::filesystem::recursive_directory_iterator(); walk.increment(error)) {
      if (walk->path().filename() == id) return true;
    }
    return false;
  };
  EXPECT_TRUE(waitUntil([&] { return !dir_left(); })) << "its output directory is still there";
}

}  // namespace
}  // namespace rivet::test
