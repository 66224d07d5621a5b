// Footprint: rivetd's own memory (VmRSS/VmHWM of its process, children excluded) idle and
// with 100 executions running, and the sizes of what is installed.
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent_bench_common.hpp"
#include "process_probe.hpp"
#include "rivet/test/temp_dir.hpp"

namespace rivet::bench {
namespace {

constexpr int kRunning = 100;

// Processes whose command line names `data_dir` (the shims rivetd started for it): count and
// VmRSS sum of those named rivet-shim.
struct Shims {
  int count = 0;
  long rss_kb = 0;
};
Shims shimsOf(const std::string& data_dir) {
  Shims shims;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
       it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto cmdline = rivet::test::readFile(it->path() / "cmdline");
    const auto comm = rivet::test::readFile(it->path() / "comm");
    if (cmdline.find(data_dir) == std::string::npos || comm != "rivet-shim\n") continue;
    ++shims.count;
    shims.rss_kb += procKb(std::stoi(name), "status", "VmRSS");
  }
  return shims;
}

std::uintmax_t fileSize(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  return ec ? 0 : size;
}

std::string sizeText(std::uintmax_t bytes) {
  return bytes >= 1024 * 1024 ? fmt("%.2f MiB", bytes / 1048576.0) : fmt("%.0f KiB", bytes / 1024.0);
}

int countWithStatus(rivet::client::Client& client, const std::string& status) {
  rivet::client::ExecutionFilter filter;
  filter.action = "bench.sleep5";
  filter.status = status;
  filter.limit = 500;
  const auto page = client.list(filter);
  return page.ok() ? static_cast<int>((*page)["items"].size()) : -1;
}

}  // namespace

void footprintStep(Bench& bench, pid_t webhook_pid) {
  bench.table.add({"footprint (rivetd's own process; children excluded)", "", "", "", "", ""});
  Agent agent(bench, {"rivetd.max_running=128"});
  agent.start();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  // Both idle, each at least 1 s after its start (webhook started before this step).
  const auto own = memorySplit(agent.pid());
  const auto peer = webhook_pid > 0 ? memorySplit(webhook_pid) : MemorySplit{};
  const double idle = mib(own.rss_kb);
  const auto add = [&](const std::string& label, long rivet_kb, long webhook_kb,
                       const std::string& target, const std::string& met) {
    bench.table.add({label, fmt("%.1f MiB", mib(rivet_kb)),
                     webhook_kb > 0 ? fmt("webhook %.1f MiB", mib(webhook_kb)) : "-",
                     webhook_kb > 0 ? ratioText(mib(rivet_kb), mib(webhook_kb)) : "-", target,
                     met});
  };
  add("idle RSS after start", own.rss_kb, peer.rss_kb, "<= 8 MiB", idle <= 8 ? "yes" : "no");
  // What the RSS is made of: the target above compares all of it.
  add("  RssAnon (heap, stacks)", own.anon_kb, peer.anon_kb, "", "");
  add("  RssFile (binary, shared libraries)", own.file_kb, peer.file_kb, "", "");
  add("  PSS (shared pages split among sharers)", own.pss_kb, peer.pss_kb, "", "");
  add("  USS (pages no other process maps)", own.uss_kb, peer.uss_kb, "", "");

  // 100 `sleep 5` executions, posted from 4 connections at once.
  std::atomic<int> posted{0};
  std::vector<rivet::client::Client> posters;
  for (int w = 0; w < 4; ++w) posters.push_back(bench.client(agent.port()));
  runConcurrent(bench, 4, kRunning, [&](int worker) {
    if (posters[worker].run("bench.sleep5", nlohmann::json::object()).ok()) ++posted;
    return 0.0;
  });
  if (posted != kRunning) throw std::runtime_error("not every sleep 5 execution was accepted");
  auto client = bench.client(agent.port());
  long max_rss_kb = 0;
  int max_running = 0;
  Shims shims;
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  for (int round = 0; Clock::now() < deadline; ++round) {
    max_rss_kb = std::max(max_rss_kb, procKb(agent.pid(), "status", "VmRSS"));
    if (round % 5 == 0) {
      const int running = countWithStatus(client, "running");
      if (running > max_running) {
        max_running = running;
        shims = shimsOf(agent.dataDir().string());
      }
      if (running == 0 && countWithStatus(client, "succeeded") == kRunning) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double hwm = mib(procKb(agent.pid(), "status", "VmHWM"));
  const bool met = std::max(hwm, mib(max_rss_kb)) <= 24;
  bench.table.add({fmt("peak RSS, %.0f sleep 5 running", max_running),
                   fmt("%.1f MiB", mib(max_rss_kb)), fmt("idle %.1f MiB", idle),
                   ratioText(mib(max_rss_kb), idle), "<= 24 MiB", met ? "yes" : "no"});
  bench.table.add({"  VmHWM over rivetd's life", fmt("%.1f MiB", hwm), "", "", "", ""});
  if (shims.count > 0) {
    bench.table.add({fmt("  (not counted) rivet-shim x%.0f, RSS sum", shims.count),
                     fmt("%.1f MiB", mib(shims.rss_kb)),
                     fmt("%.0f KiB per shim", static_cast<double>(shims.rss_kb) / shims.count), "",
                     "", ""});
  }
  if (max_running < kRunning) {
    bench.table.note(fmt("footprint: only %.0f of 100 sleep executions were seen running at once",
                         max_running));
  }

  bench.table.add({"installed sizes (Release build, not stripped)", "", "", "", "", ""});
  const std::filesystem::path build(RIVET_BINARY_DIR);
  const auto rivetd = fileSize(build / "bin/rivetd");
  const auto webhook = fileSize("/usr/bin/webhook");
  bench.table.add({"bin/rivetd", sizeText(rivetd), webhook ? "webhook " + sizeText(webhook) : "-",
                   webhook ? ratioText(static_cast<double>(rivetd), static_cast<double>(webhook)) : "-",
                   "", ""});
  bench.table.add({"bin/rivet-shim", sizeText(fileSize(build / "bin/rivet-shim")), "", "", "", ""});
  std::vector<std::filesystem::path> plugins;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(build / "lib/rivet/plugins", ec)) {
    if (entry.path().extension() == ".so") plugins.push_back(entry.path());
  }
  std::sort(plugins.begin(), plugins.end());
  for (const auto& plugin : plugins) {
    bench.table.add({"plugins/" + plugin.filename().string(), sizeText(fileSize(plugin)), "", "",
                     "", ""});
  }
}

}  // namespace rivet::bench
