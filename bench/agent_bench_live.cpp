// The steps that run executions on one rivetd: round trip, throughput and live output latency,
// each beside its physical limit (and webhook, where it runs) measured in the same run.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent_bench_live.hpp"

extern char** environ;

namespace rivet::bench {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(1);

// Runs `once(worker)` from `workers` threads for `duration`: successes and seconds taken.
std::pair<long, double> runFor(int workers, std::chrono::seconds duration,
                               const std::function<bool(int worker)>& once) {
  std::atomic<long> ok{0};
  const auto start = Clock::now();
  const auto stop_at = start + duration;
  {
    std::vector<std::jthread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        while (Clock::now() < stop_at) {
          if (once(w)) ++ok;
        }
      });
    }
  }
  return {ok.load(), msSince(start) / 1000};
}

std::vector<rivet::client::Client> clients(const Bench& bench, const Agent& agent, int count) {
  std::vector<rivet::client::Client> result;
  for (int i = 0; i < count; ++i) result.push_back(bench.client(agent.port()));
  return result;
}

double epochMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Splits `bytes` into lines (kept across calls in `pending`); each line is a bash
// $EPOCHREALTIME stamp, its age on arrival goes to `latencies`.
void stampLines(std::string& pending, std::string_view bytes, std::vector<double>& latencies,
                double not_before_ms) {
  const double now = epochMs();
  pending.append(bytes);
  for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
    const double stamp_ms = std::strtod(pending.substr(0, end).c_str(), nullptr) * 1000;
    if (stamp_ms >= not_before_ms) latencies.push_back(now - stamp_ms);
    pending.erase(0, end + 1);
  }
}

// The same script run directly with its stdout on a pipe we read: the physical limit.
std::vector<double> pipeLatencies(const std::string& script, int lines) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  const std::string count = std::to_string(lines);
  char* argv[] = {const_cast<char*>(script.c_str()), const_cast<char*>(count.c_str()), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  std::vector<double> latencies;
  std::string pending;
  char buffer[4096];
  for (ssize_t got; rc == 0 && (got = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    stampLines(pending, {buffer, static_cast<std::size_t>(got)}, latencies, 0);
  ::close(fds[0]);
  if (rc == 0) waitpid(pid, nullptr, 0);
  return latencies;
}

}  // namespace

double roundTrip(rivet::client::Client& client, const std::string& ref, EndNotice notice,
                 std::atomic<long>& polls, std::string* id) {
  const auto start = Clock::now();
  rivet::client::RunOptions options;
  if (notice == EndNotice::waiting_post) options.wait_seconds = 30;
  auto started = client.run(ref, nlohmann::json::object(), options);
  if (!started.ok()) return -1;
  const auto execution = (*started)["id"].get<std::string>();
  const auto deadline = start + std::chrono::seconds(60);
  for (auto got = started;; got = client.get(execution), ++polls) {
    if (!got.ok()) return -1;
    const auto status = (*got)["status"].get<std::string>();
    if (rivet::client::isTerminalStatus(status)) {
      if (id) *id = execution;
      return status == "succeeded" ? msSince(start) : -1;
    }
    if (Clock::now() > deadline) return -1;
    std::this_thread::sleep_for(kPoll);
  }
}

void roundTripStep(Bench& bench, Agent& agent, Agent& unsynced, WebhookPeer& webhook) {
  for (const int workers : {1, 8}) {
    bench.table.add({fmt("round trip, concurrency %.0f: median / p99 ms", workers), "", "", "",
                     "", ""});
    // The rivet contenders: the action, how the end is learnt, and the row's label.
    struct RivetRun {
      Agent& agent;
      const char* ref;
      EndNotice notice;
      const char* label;
      std::vector<rivet::client::Client> clients;
      std::atomic<long> polls{0};
    };
    RivetRun runs[] = {
        {agent, "bench.noop", EndNotice::waiting_post, "local-shell-cmd `true`, waiting POST",
         {}},
        {agent, "bench.script", EndNotice::waiting_post,
         "local-shell-script, 1 line, waiting POST", {}},
        {agent, "bench.noop", EndNotice::polling, "local-shell-cmd `true`, POST + 1 ms GETs", {}},
        {unsynced, "bench.noop", EndNotice::waiting_post,
         "local-shell-cmd, waiting POST, sync NORMAL", {}},
    };
    std::vector<Contender> contenders;
    contenders.push_back({"raw", bench.runs, [](int) { return spawnAndWait({"/bin/true"}); }, {}});
    for (auto& run : runs) {
      run.clients = clients(bench, run.agent, workers);
      contenders.push_back({run.ref, bench.runs, [&run](int w) {
                              return roundTrip(run.clients[w], run.ref, run.notice, run.polls);
                            }, {}});
    }
    std::vector<std::unique_ptr<WebhookClient>> hooks;
    for (int w = 0; w < workers && webhook.error().empty(); ++w)
      hooks.push_back(std::make_unique<WebhookClient>(webhook.port()));
    if (!hooks.empty())
      contenders.push_back({"webhook", bench.runs, [&](int w) { return hooks[w]->once(); }, {}});
    interleave(bench, workers, contenders);

    const auto raw = summarize(contenders[0].samples.ms);
    bench.table.add({"posix_spawn+waitpid /bin/true (limit)", medP99(raw), "", "", "", ""});
    for (std::size_t i = 0; i < std::size(runs); ++i) {
      const auto& contender = contenders[i + 1];
      const auto s = summarize(contender.samples.ms);
      bench.table.add({runs[i].label, medP99(s), fmt("spawn %.2f", raw.median),
                       ratioText(s.median, raw.median), "<= 1.5x",
                       s.median <= 1.5 * raw.median ? "yes" : "no"});
      bench.table.note(fmt("round trip c%.0f ", workers) + runs[i].label +
                       fmt(": %.0f runs", static_cast<double>(s.count)) +
                       fmt(", %.0f failed", static_cast<double>(contender.samples.failures)) +
                       fmt(", %.1f s", contender.seconds) +
                       fmt(", %.2f GETs per run (warm-up included)",
                           static_cast<double>(runs[i].polls) /
                               std::max<double>(1, s.count + workers * 3)));
    }
    if (contenders.size() > std::size(runs) + 1) {
      const auto hook = summarize(contenders.back().samples.ms);
      const auto cmd = summarize(contenders[1].samples.ms);
      bench.table.add({"webhook /bin/true, HTTP keep-alive", medP99(hook),
                       fmt("spawn %.2f", raw.median), ratioText(hook.median, raw.median), "", ""});
      bench.table.add({"local-shell-cmd (waiting POST) vs webhook", fmt("%.2f", cmd.median),
                       fmt("webhook %.2f", hook.median), ratioText(cmd.median, hook.median), "",
                       ""});
      if (contenders.back().samples.failures > 0)
        bench.table.note(fmt("webhook c%.0f: ", workers) +
                         fmt("%.0f requests failed", contenders.back().samples.failures));
    }
    if (bench.overBudget()) throw std::runtime_error("over the time budget");
  }
  if (!webhook.error().empty()) bench.table.note("webhook: " + webhook.error());
}

void throughputStep(Bench& bench, Agent& agent, WebhookPeer& webhook) {
  constexpr int kWorkers = 8;
  bench.table.add({"throughput, concurrency 8: executions/s", "", "", "", "", ""});
  const auto raw =
      runFor(kWorkers, std::chrono::seconds(3), [](int) { return spawnAndWait({"/bin/true"}) >= 0; });
  const double raw_rate = raw.first / raw.second;
  double hook_rate = 0;
  if (webhook.error().empty()) {
    std::vector<std::unique_ptr<WebhookClient>> hooks;
    for (int w = 0; w < kWorkers; ++w) hooks.push_back(std::make_unique<WebhookClient>(webhook.port()));
    const auto hook = runFor(kWorkers, std::chrono::seconds(3), [&](int w) { return hooks[w]->once() >= 0; });
    hook_rate = hook.first / hook.second;
  }
  auto workers = clients(bench, agent, kWorkers);
  std::atomic<long> polls{0};
  std::vector<std::vector<std::string>> ids(kWorkers);
  const auto rivet = runFor(kWorkers, std::chrono::seconds(bench.throughput_seconds), [&](int w) {
    std::string id;
    if (roundTrip(workers[w], "bench.tput", EndNotice::waiting_post, polls, &id) < 0) return false;
    ids[w].push_back(id);
    return true;
  });
  const double rate = rivet.first / rivet.second;
  // Every completed execution must be in history, succeeded.
  std::set<std::string> expected;
  for (const auto& list : ids) expected.insert(list.begin(), list.end());
  std::size_t recorded = 0;
  std::size_t succeeded = 0;
  rivet::client::ExecutionFilter filter;
  filter.action = "bench.tput";
  filter.limit = 500;
  for (;;) {
    auto page = workers[0].list(filter);
    if (!page.ok()) throw std::runtime_error("GET /v1/executions failed: " + page.status().message());
    for (const auto& item : (*page)["items"]) {
      ++recorded;
      if (item["status"] == "succeeded" && expected.count(item["id"].get<std::string>())) ++succeeded;
    }
    if ((*page)["next_before"].is_null()) break;
    filter.before = (*page)["next_before"].get<std::string>();
  }
  bench.table.add({fmt("`true` via rivetd, %.0f s", bench.throughput_seconds), fmt("%.0f/s", rate),
                   fmt("spawn %.0f/s", raw_rate), ratioText(rate, raw_rate), "", ""});
  if (hook_rate > 0)
    bench.table.add({"`true` via webhook, 3 s", fmt("%.0f/s", hook_rate), fmt("spawn %.0f/s", raw_rate),
                     ratioText(hook_rate, raw_rate), "", ""});
  bench.table.add({"  completed / in history, succeeded",
                   fmt("%.0f", static_cast<double>(expected.size())) +
                       fmt(" / %.0f", static_cast<double>(succeeded)),
                   fmt("%.0f rows for the action", static_cast<double>(recorded)), "",
                   "all recorded", succeeded == expected.size() ? "yes" : "no"});
}

void latencyStep(Bench& bench, Agent& agent, const std::string& ticker_script) {
  bench.table.add({"live output: line written -> client got it, ms", "", "", "", "", ""});
  const auto direct = summarize(pipeLatencies(ticker_script, bench.output_lines));
  auto poster = bench.client(agent.port());
  auto follower = bench.client(agent.port());
  auto started = poster.run("bench.ticker", {{"count", bench.output_lines}});
  if (!started.ok()) throw std::runtime_error("POST bench.ticker: " + started.status().message());
  const double follow_from = epochMs();
  std::vector<double> latencies;
  std::string pending;
  auto followed = follower.follow((*started)["id"].get<std::string>(), "stdout", 0,
                                  [&](std::string_view bytes) {
                                    stampLines(pending, bytes, latencies, follow_from);
                                  });
  if (!followed.ok()) throw std::runtime_error("follow: " + followed.status().message());
  const auto live = summarize(latencies);
  bench.table.add({"median, Client::follow", fmt("%.2f", live.median),
                   fmt("pipe %.2f", direct.median), ratioText(live.median, direct.median),
                   "<= 50 ms", live.median <= 50 ? "yes" : "no"});
  bench.table.add({fmt("p99, %.0f lines", static_cast<double>(live.count)), fmt("%.2f", live.p99),
                   fmt("pipe %.2f", direct.p99), ratioText(live.p99, direct.p99), "<= 50 ms",
                   live.p99 <= 50 ? "yes" : "no"});
}

}  // namespace rivet::bench
