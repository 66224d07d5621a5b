// How close one rivetd is to the machine's limit and to a tool people would use instead
// (issue 7): round trip of a trivial action, throughput, footprint, history at scale and live
// output latency, each beside a baseline measured in the same run on this machine (posix_spawn
// of the same command, a pipe, an empty history, Debian's `webhook`, `ssh` to an sshd of our
// own). The figures that matter are the ratios: these machines are shared and noisy. Loopback
// only, bounded in time (a watchdog kills what is left after kHardStop), every process and temp
// dir cleaned up, also when a step fails. See docs/benchmarks.md.
//
// Usage: rivet_bench_agent [--quick] [RUNS]
//   RUNS: round trips per action and concurrency (default 2000); --quick: 300 runs, 5 s of
//   throughput, 100k history rows, 100 output lines (RUNS after it still sets the runs).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

#include "agent_bench_common.hpp"
#include "agent_bench_live.hpp"
#include "agent_bench_ssh.hpp"
#include "agent_bench_webhook.hpp"
#include "rivet/test/temp_dir.hpp"

namespace {

using namespace rivet::bench;

// The bench pack: `true` as a command (twice: round trip and throughput count apart) and as a
// one-line script, `sleep 5`, and a ticker printing its own $EPOCHREALTIME per line.
void writePack(const rivet::test::TempDir& packs) {
  const auto command = [&](const std::string& name, const std::string& cmd) {
    packs.write("bench/actions/" + name + ".yaml",
                "name: " + name +
                    "\nrunner_type: local-shell-cmd\n"
                    "parameters:\n  cmd:\n    type: string\n    default: '" +
                    cmd + "'\n    immutable: true\n");
  };
  const auto script = [&](const std::string& name, const std::string& text) {
    const auto file = packs.write("bench/actions/" + name + ".sh", text);
    std::filesystem::permissions(file, std::filesystem::perms::owner_exec |
                                           std::filesystem::perms::group_exec |
                                           std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add);
  };
  packs.write("bench/pack.yaml", "name: bench\nversion: 0.1.0\n");
  command("noop", "true");
  command("tput", "true");
  command("sleep5", "sleep 5");
  script("script", "#!/bin/sh\ntrue\n");
  packs.write("bench/actions/script.yaml",
              "name: script\nrunner_type: local-shell-script\nentry_point: script.sh\n");
  script("ticker",
         "#!/bin/bash\n# One line per 10 ms: the time it was written (epoch seconds.micro).\n"
         "sleep 0.5\nfor ((n = 0; n < ${1:-100}; n++)); do echo \"$EPOCHREALTIME\"; "
         "sleep 0.01; done\n");
  packs.write("bench/actions/ticker.yaml",
              "name: ticker\nrunner_type: local-shell-script\nentry_point: ticker.sh\n"
              "parameters:\n  count:\n    type: integer\n    default: 100\n    position: 0\n");
}

// Runs one step; a failure is reported and the next step still runs.
bool step(Bench& bench, const char* name, const std::function<void()>& body) {
  if (bench.overBudget() || bench.watchdog->fired()) {
    bench.table.note(std::string(name) + ": skipped, over the time budget");
    return false;
  }
  std::fprintf(stderr, "%s ...\n", name);
  const auto start = Clock::now();
  try {
    body();
    bench.table.note(std::string(name) + fmt(": %.0f s", msSince(start) / 1000));
    return true;
  } catch (const std::exception& error) {
    bench.table.note(std::string(name) + " failed: " + error.what());
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Watchdog guard(kHardStop, std::chrono::seconds(60));
  Bench bench;
  bench.watchdog = &guard;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      bench.runs = 300;
      bench.throughput_seconds = 5;
      bench.history_rows = 100'000;
      bench.output_lines = 100;
    } else {
      bench.runs = std::max(40, std::atoi(arg.c_str()));
    }
  }
  bool ok = true;
  try {
    rivet::test::TempDir pki_dir("rivet-bench-pki");
    const auto pki_path = (pki_dir.path() / "pki").string();
    if (!rivet::client::makeDevPki(pki_path).ok()) throw std::runtime_error("cannot make the PKI");
    bench.pki = rivet::client::devPkiFiles(pki_path);
    rivet::test::TempDir packs("rivet-bench-packs");
    writePack(packs);
    bench.packs = packs.str();

    std::printf("rivetd benchmark: %u CPUs, %d round trips per action and concurrency\n",
                std::thread::hardware_concurrency(), bench.runs);
    WebhookPeer webhook(bench);
    // The footprint has its own clock; the history fill, last, takes what the others leave.
    ok &= step(bench, "footprint", [&] {
      footprintStep(bench, webhook.error().empty() ? webhook.pid() : 0);
    });
    {
      Agent agent(bench, {});
      Agent unsynced(bench, {"storage-sqlite.synchronous=NORMAL"});
      ok &= step(bench, "start rivetd", [&] {
        agent.start();
        unsynced.start();
      });
      if (ok) {
        ok &= step(bench, "round trip", [&] { roundTripStep(bench, agent, unsynced, webhook); });
        ok &= step(bench, "ssh", [&] { sshStep(bench, agent); });
        ok &= step(bench, "throughput", [&] { throughputStep(bench, agent, webhook); });
        ok &= step(bench, "live output", [&] {
          latencyStep(bench, agent, (packs.path() / "bench/actions/ticker.sh").string());
        });
      }
    }
    ok &= step(bench, "history", [&] { historyStep(bench); });
  } catch (const std::exception& error) {
    bench.table.note(std::string("failed: ") + error.what());
    ok = false;
  }
  std::printf("\n");
  bench.table.print();
  std::printf("total %.0f s\n", msSince(bench.began) / 1000);
  if (guard.fired()) return 3;
  return ok ? 0 : 1;
}
