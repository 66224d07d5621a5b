// Fleet fan-out (issue 6): the wall time of a trivial action (`true`, a local-shell-cmd) on N
// real rivetd agents on 127.0.0.1 with the parallel strategy, beside `ssh HOST true` to the same
// count against an sshd of our own on 127.0.0.1, measured in the same run on this machine (the
// figures that matter are the ratios; the machine is shared and noisy). Loopback only, bounded
// in time, and everything it starts is stopped and removed at the end, also on failure.
//
// Usage: rivet_bench_fleet_fanout [N ...]   (default: 100 500)
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fan_out.hpp"
#include "fleet_agents.hpp"
#include "loopback_sshd.hpp"
#include "rivet/client/dev_pki.hpp"
#include "rivet/test/temp_dir.hpp"
#include "watchdog.hpp"

namespace {

using namespace rivet::bench;
using namespace rivet::bench::fleet;
using rivet::test::TempDir;

constexpr auto kBudget = std::chrono::seconds(240);    // then no further N is started
constexpr auto kHardStop = std::chrono::seconds(280);  // then the watchdog kills what we started

void printRow(const Figures& f) {
  if (!f.ran) {
    std::printf("  %-46s %s\n", f.label.c_str(), f.note.c_str());
    return;
  }
  char agent[32] = "";
  if (f.agent_median_ms) std::snprintf(agent, sizeof agent, "%.0f", *f.agent_median_ms);
  char server[32] = "-";
  if (f.server_cpu_s) std::snprintf(server, sizeof server, "%.2f", *f.server_cpu_s);
  std::printf("  %-46s %7.2f %5zu/%-5zu %11.0f %8s %7.0f %9.2f %9s\n", f.label.c_str(), f.wall_s,
              f.ok, f.total, f.host_median_ms, agent, f.busy_percent, f.caller_cpu_s, server);
  if (f.ok != f.total && !f.note.empty()) std::printf("    first failure: %s\n", f.note.c_str());
}

void printRatio(const char* label, const Figures& a, const Figures& b) {
  if (!a.ran || !b.ran || b.wall_s <= 0 || a.ok != a.total || b.ok != b.total) return;
  std::printf("  %-46s %6.2fx\n", label, a.wall_s / b.wall_s);
}

// `count` runs of `ssh ... true` to `sshd`, kBoundedConcurrency at once.
Figures sshFanOut(const std::string& label, const LoopbackSshd& sshd, std::size_t count,
                  bool shared) {
  std::vector<double> per_host(count, 0);
  std::atomic<std::size_t> ok{0};
  const CpuMeter cpu(RUSAGE_CHILDREN, {sshd.pid()});
  const auto start = Clock::now();
  forEachOn(count, kBoundedConcurrency, [&](std::size_t i) {
    const auto started = Clock::now();
    if (sshd.runTrue(shared)) ++ok;
    per_host[i] = secondsSince(started) * 1000;
  });
  Figures figures{label, true, secondsSince(start)};
  figures.busy_percent = cpu.busyPercent();
  figures.caller_cpu_s = cpu.callerSeconds();
  if (!shared) figures.server_cpu_s = cpu.serverSeconds();
  figures.total = count;
  figures.ok = ok;
  figures.host_median_ms = median(per_host);
  return figures;
}

// Raises the open-files limit to its hard limit; false when even that is too low for `count`
// connections at once (plus the agents' pipes and our own files).
bool enoughFiles(std::size_t count) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= 2 * count + 256;
}

long readLong(const char* path) {
  std::ifstream in(path);
  long value = 0;
  in >> value;
  return value;
}

// Room for `count` agents (5 threads each), a shim and an action per host, and a client thread
// per host at once, under the machine's pid and thread limits and (not for root) RLIMIT_NPROC.
std::string processRoomFor(std::size_t count) {
  const long needed = static_cast<long>(count) * 8 + 1000;
  const long pid_max = readLong("/proc/sys/kernel/pid_max");
  const long threads_max = readLong("/proc/sys/kernel/threads-max");
  rlimit nproc{};
  ::getrlimit(RLIMIT_NPROC, &nproc);
  if (pid_max > 0 && needed > pid_max) return "kernel.pid_max " + std::to_string(pid_max);
  if (threads_max > 0 && needed > threads_max)
    return "kernel.threads-max " + std::to_string(threads_max);
  if (::getuid() != 0 && nproc.rlim_cur != RLIM_INFINITY &&
      needed > static_cast<long>(nproc.rlim_cur)) {
    return "ulimit -u " + std::to_string(nproc.rlim_cur);
  }
  return "";
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> counts;
  for (int i = 1; i < argc; ++i)
    counts.push_back(static_cast<std::size_t>(std::max(1, std::atoi(argv[i]))));
  if (counts.empty()) counts = {100, 500};
  const auto began = Clock::now();
  Watchdog guard(kHardStop, std::chrono::seconds(30));
  int exit_code = 0;
  try {
    TempDir pki_dir("rivet-bench-pki");
    const auto pki_path = pki_dir.path() / "pki";
    if (!rivet::client::makeDevPki(pki_path.string()).ok()) {
      std::cerr << "cannot make the PKI\n";
      return 1;
    }
    const auto pki = rivet::client::devPkiFiles(pki_path.string());
    TempDir packs("rivet-bench-packs");
    packs.write("bench/pack.yaml", "name: bench\nversion: 0.1.0\n");
    packs.write(
        "bench/actions/noop.yaml",
        "name: noop\nrunner_type: local-shell-cmd\n"
        "parameters:\n  cmd:\n    type: string\n    default: 'true'\n    immutable: true\n");

    std::string ssh_skipped;
    const auto sshd = startLoopbackSshd(guard, ssh_skipped);
    if (!sshd) ssh_skipped = "ssh: skipped, " + ssh_skipped;

    std::printf(
        "fleet fan-out: `true` (local-shell-cmd) on N rivetd agents on 127.0.0.1, parallel "
        "strategy,\nbeside `ssh 127.0.0.1 true` N times to our own sshd; %u CPUs\n",
        std::thread::hardware_concurrency());
    std::printf(
        "wall s: first start to last end; per-host ms: median, as the caller saw it; "
        "agent ms: median\nexecution duration recorded by rivetd; busy %%: share of all "
        "cores busy during the fan-out\n(anything on the machine counts); caller s: CPU "
        "seconds of this process (rivet) or of the ssh clients;\nserver s: CPU seconds "
        "of the agents with the shims and actions they ran, or of sshd with the "
        "sessions\nit has reaped (-: the ControlMaster's session process is still open)\n");
    if (!ssh_skipped.empty()) std::printf("%s\n", ssh_skipped.c_str());

    for (const std::size_t n : counts) {
      std::printf("\nN = %zu\n", n);
      if (secondsSince(began) > std::chrono::duration<double>(kBudget).count() || guard.fired()) {
        std::printf("  skipped: %s\n", guard.fired() ? "the watchdog stopped the run"
                                                     : "the run's time budget is spent");
        exit_code = 1;
        continue;
      }
      if (!enoughFiles(n)) {
        std::printf("  skipped: the open-files limit is too low for %zu connections (ulimit -n)\n",
                    n);
        exit_code = 1;
        continue;
      }
      if (const auto limit = processRoomFor(n); !limit.empty()) {
        std::printf("  skipped: %zu agents need more processes and threads than %s allows\n", n,
                    limit.c_str());
        exit_code = 1;
        continue;
      }
      auto agents_owner = std::make_unique<Agents>(n, pki, packs.str(), guard);
      Agents& agents = *agents_owner;
      if (!agents.error().empty()) {
        std::cerr << agents.error() << "\n";
        exit_code = 1;
        continue;
      }
      const auto footprint = agents.footprint();
      std::printf(
          "  %zu agents started in %.1f s (%zu at once); together RSS %.0f MiB (PSS %.0f "
          "MiB), %.0f MiB RSS each, %ld threads (pid_max %ld)\n",
          n, agents.startupSeconds(), kStarterThreads, footprint.rss_mib, footprint.pss_mib,
          footprint.rss_mib / n, footprint.threads, readLong("/proc/sys/kernel/pid_max"));
      const auto instances = agents.instances();
      const auto agent_pids = agents.pids();
      std::printf("  %-46s %7s %11s %11s %8s %7s %9s %9s\n", "", "wall s", "ok/N", "per-host ms",
                  "agent ms", "busy %", "caller s", "server s");
      const auto cold = rivetFanOut("rivet, max-concurrency 20 (first run)", instances, agent_pids,
                                    pki, kBoundedConcurrency);
      printRow(cold);
      const auto warm = rivetFanOut("rivet, max-concurrency 20 (second run)", instances, agent_pids,
                                    pki, kBoundedConcurrency);
      printRow(warm);
      const auto all = rivetFanOut("rivet, unbounded (all " + std::to_string(n) + " at once)",
                                   instances, agent_pids, pki, std::nullopt);
      printRow(all);
      std::string one_host;
      {  // one host at a time, for the latency of one call (to agents already used)
        std::vector<double> rivet_one;
        std::vector<double> ssh_one;
        for (std::size_t i = 0; i < 5; ++i) {
          const std::vector<rivet::client::Instance> one{instances[i % instances.size()]};
          rivet_one.push_back(rivetFanOut("", one, agent_pids, pki, 1).wall_s * 1000);
          if (sshd) ssh_one.push_back(sshFanOut("", *sshd, 1, false).wall_s * 1000);
        }
        one_host = "  one host alone, after the runs above (median of 5): rivet " +
                   std::to_string(static_cast<int>(median(rivet_one))) + " ms";
        if (sshd) {
          one_host +=
              ", ssh without sharing " + std::to_string(static_cast<int>(median(ssh_one))) + " ms";
        }
      }
      Figures plain{"ssh, 20 at once, no connection sharing"};
      Figures shared{"ssh, 20 at once, one ControlMaster connection"};
      if (sshd) {
        plain = sshFanOut(plain.label, *sshd, n, false);
        printRow(plain);
        if (const auto master_ms = sshd->openMaster()) {
          shared = sshFanOut(shared.label, *sshd, n, true);
          printRow(shared);
          std::printf("    (its master connection was opened before, in %.0f ms)\n", *master_ms);
          sshd->closeMaster();
        } else {
          auto why = sshd->log();
          std::replace(why.begin(), why.end(), '\n', ' ');
          shared.note = "skipped: the master connection failed: " + why;
          printRow(shared);
        }
        printRatio("ratio rivet 20 (first) / ssh 20", cold, plain);
        printRatio("ratio rivet 20 (second) / ssh 20", warm, plain);
        printRatio("ratio rivet unbounded / ssh 20", all, plain);
        printRatio("ratio rivet 20 (second) / ssh ControlMaster", warm, shared);
      } else {
        std::printf("  %s\n", ssh_skipped.c_str());
      }
      std::printf("%s\n", one_host.c_str());
      for (const Figures* f :
           std::initializer_list<const Figures*>{&cold, &warm, &all, &plain, &shared}) {
        if (f->ran && f->ok != f->total) exit_code = 1;
      }
      std::fflush(stdout);
      const auto stopping = Clock::now();
      agents_owner.reset();
      std::printf("  agents stopped and removed in %.1f s\n", secondsSince(stopping));
    }
  } catch (const std::exception& error) {  // unwound: every agent and sshd is cleaned up
    std::cerr << "failed: " << error.what() << "\n";
    exit_code = 1;
  }
  std::printf("\ntotal %.1f s\n", secondsSince(began));
  return guard.fired() ? 2 : exit_code;
}
