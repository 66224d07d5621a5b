// History at scale: the newest 50 executions of one action from a database that holds many
// (filled directly through storage-sqlite.so, as rivetd writes them), beside the same query on
// an empty history.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent_bench_common.hpp"
#include "rivet/sdk/storage.hpp"
#include "rivet/test/plugin_handle.hpp"
#include "rivet/test/recording_logger.hpp"

namespace rivet::bench {
namespace {

constexpr int kActions = 10;  // the rows are spread over 10 actions; one is queried
constexpr int kQueries = 50;
const std::string kQuery = "/v1/executions?action=bench.noop&limit=50";

std::int64_t epochMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Fill {
  std::size_t rows = 0;
  double seconds = 0;
  Summary list_ms;  // the same query as store->list() in this process, once filled
};

// create() (requested) then apply() (succeeded) per execution, as rivetd records one (it also
// records scheduled and running in between), with synchronous = NORMAL; stops at `rows` or
// at `stop_at`.
Fill fillHistory(const std::filesystem::path& data_dir, std::size_t rows,
                 Clock::time_point stop_at) {
  std::filesystem::create_directories(data_dir);
  rivet::test::PluginHandle library(RIVET_PLUGIN_DIR "/storage-sqlite.so");
  auto store = library.create<sdk::ExecutionStore>();
  rivet::test::RecordingLogger logger;
  sdk::PluginContext context;
  context.data_dir = data_dir.string();
  context.config = {{"synchronous", "NORMAL"}};
  context.logger = &logger;
  if (auto status = store->configure(context); !status.ok())
    throw std::runtime_error("storage-sqlite: " + status.message());

  const std::int64_t first_ms = epochMs() - static_cast<std::int64_t>(rows) * 3;
  const char* names[kActions] = {"noop", "script", "tput", "ticker", "sleep5",
                                 "a5",   "a6",     "a7",   "a8",     "a9"};
  const auto start = Clock::now();
  Fill fill;
  char id[64];
  for (std::size_t i = 0; i < rows; ++i) {
    if (i % 1024 == 0 && Clock::now() > stop_at) break;
    std::snprintf(id, sizeof id, "%08zx-0000-4000-8000-%012zx", i, i);
    sdk::ExecutionRecord record;
    record.id = id;
    record.pack = "bench";
    record.action = names[i % kActions];
    record.parameters = {{"cmd", "true"}};
    record.requester.subject = "CN=rivet-dev-client";
    record.requester.sans = {"DNS:rivet-dev-client"};
    record.created_at_ms = first_ms + static_cast<std::int64_t>(i) * 3;
    const auto dir = (data_dir / "executions" / record.id).string();
    record.stdout_path = dir + "/stdout";
    record.stderr_path = dir + "/stderr";
    record.timeout_seconds = 600;
    if (auto status = store->create(record); !status.ok())
      throw std::runtime_error("create: " + status.message());
    sdk::ExecutionUpdate update;
    update.status = sdk::ExecutionStatus::succeeded;
    update.at_ms = record.created_at_ms + 2;
    update.exit_code = 0;
    update.pid = 4242;
    update.started_at_ms = record.created_at_ms + 1;
    update.ended_at_ms = record.created_at_ms + 2;
    if (auto status = store->apply(record.id, update); !status.ok())
      throw std::runtime_error("apply: " + status.message());
    fill.rows = i + 1;
  }
  fill.seconds = msSince(start) / 1000;
  // The storage layer alone: the query rivetd runs for the GET, without HTTP, TLS or JSON.
  sdk::ExecutionQuery query;
  query.pack = "bench";
  query.action = "noop";
  query.limit = 50;
  std::vector<double> samples;
  for (int i = 0; i < 25; ++i) {
    const auto sent = Clock::now();
    const auto page = store->list(query);
    if (i >= 5 && page.ok()) samples.push_back(msSince(sent));
  }
  fill.list_ms = summarize(samples);
  return fill;
}

struct QueryFigures {
  Summary query;
  double start_ms = 0;
  std::size_t items = 0;
};

QueryFigures timeQueries(Bench& bench, Agent& agent) {
  QueryFigures figures;
  const auto start = Clock::now();
  agent.start();
  figures.start_ms = msSince(start);
  auto client = bench.client(agent.port());
  std::vector<double> samples;
  for (int i = 0; i < kQueries + 5; ++i) {
    const auto sent = Clock::now();
    auto response = client.request("GET", kQuery);
    const double ms = msSince(sent);
    if (!response.ok() || response->status != 200)
      throw std::runtime_error("GET " + kQuery + " failed");
    if (i == 0) figures.items = nlohmann::json::parse(response->body)["items"].size();
    if (i >= 5) samples.push_back(ms);  // the first ones warm the connection and caches
  }
  figures.query = summarize(samples);
  return figures;
}

}  // namespace

void historyStep(Bench& bench) {
  bench.table.add({"history: GET " + kQuery, "", "", "", "", ""});
  Agent empty(bench, {});
  const auto baseline = timeQueries(bench, empty);

  Agent full(bench, {});
  // The last step: the fill, like every loop, stops at the end of the run's budget.
  const auto fill = fillHistory(full.dataDir(), bench.history_rows, bench.began + kBudget);
  std::uintmax_t db_bytes = 0;
  std::error_code ec;
  for (const char* name : {"rivet.db", "rivet.db-wal"}) {
    const auto size = std::filesystem::file_size(full.dataDir() / name, ec);
    if (!ec) db_bytes += size;
  }
  bench.table.note(fmt("history: filled %.0f executions", static_cast<double>(fill.rows)) +
                   fmt(" (create+apply, synchronous=NORMAL) in %.1f s", fill.seconds) +
                   fmt(", %.0f executions/s", fill.rows / std::max(fill.seconds, 1e-3)) +
                   fmt("; database %.0f MiB", db_bytes / 1048576.0) +
                   (fill.rows < bench.history_rows
                        ? fmt("; stopped at the run's time budget (%.0f rows would take ",
                              static_cast<double>(bench.history_rows)) +
                              fmt("%.0f s at this rate)", bench.history_rows * fill.seconds /
                                                              std::max<double>(fill.rows, 1))
                        : ""));
  const auto scaled = timeQueries(bench, full);
  if (scaled.items != 50 || baseline.items != 0)
    bench.table.note(fmt("history: the full query returned %.0f items", scaled.items));
  const std::string rows = fmt("%.0fk rows", fill.rows / 1000.0);
  bench.table.add({"median ms, " + rows, fmt("%.2f", scaled.query.median),
                   fmt("empty %.2f", baseline.query.median),
                   ratioText(scaled.query.median, baseline.query.median), "<= 5 ms",
                   scaled.query.median <= 5 ? "yes" : "no"});
  bench.table.add({"p99 ms, " + rows, fmt("%.2f", scaled.query.p99),
                   fmt("empty %.2f", baseline.query.p99),
                   ratioText(scaled.query.p99, baseline.query.p99), "", ""});
  bench.table.add({"  storage list() alone, in-process, median", fmt("%.2f", fill.list_ms.median),
                   "", "", "", ""});
  bench.table.add({"rivetd start to listening ms, " + rows, fmt("%.0f", scaled.start_ms),
                   fmt("empty %.0f", baseline.start_ms),
                   ratioText(scaled.start_ms, baseline.start_ms), "", ""});
}

}  // namespace rivet::bench
