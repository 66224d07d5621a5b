#include "agent_bench_ssh.hpp"

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "agent_bench_live.hpp"
#include "loopback_sshd.hpp"

namespace rivet::bench {
namespace {

// A new connection (key exchange, authentication, a session) costs ~200 ms here: a few dozen
// runs say enough. Through the master connection a run costs a few ms, like rivet's.
constexpr int kNewConnectionRuns = 32;
constexpr int kSharedRuns = 500;

}  // namespace

void sshStep(Bench& bench, Agent& agent) {
  bench.table.add({"ssh peer, concurrency 1: median / p99 ms", "", "", "", "", ""});
  std::string why_not;
  const auto sshd = startLoopbackSshd(*bench.watchdog, why_not);
  if (!sshd) {
    bench.table.note("ssh: skipped, " + why_not);
    return;
  }
  const auto master_ms = sshd->openMaster();
  const auto ssh = [&](bool shared) {
    const auto start = Clock::now();
    return sshd->runTrue(shared) ? msSince(start) : -1.0;
  };
  auto client = bench.client(agent.port());
  std::atomic<long> polls{0};
  const int runs = std::min(bench.runs, kSharedRuns);
  std::vector<Contender> contenders;
  contenders.push_back({"raw", runs, [](int) { return spawnAndWait({"/bin/true"}); }, {}});
  contenders.push_back(
      {"rivet", runs, [&](int) { return roundTrip(client, "bench.noop", EndNotice::waiting_post, polls); }, {}});
  contenders.push_back(
      {"ssh, new connection", kNewConnectionRuns, [&](int) { return ssh(false); }, {}});
  if (master_ms) {
    contenders.push_back({"ssh, ControlMaster", runs, [&](int) { return ssh(true); }, {}});
  } else {
    auto why = sshd->log();
    std::replace(why.begin(), why.end(), '\n', ' ');
    bench.table.note("ssh ControlMaster: skipped, the master connection failed: " + why);
  }
  interleave(bench, 1, contenders);

  const auto raw = summarize(contenders[0].samples.ms);
  const auto rivet = summarize(contenders[1].samples.ms);
  bench.table.add({"posix_spawn+waitpid /bin/true (limit)", medP99(raw), "", "", "", ""});
  bench.table.add({"local-shell-cmd `true` over mTLS", medP99(rivet), fmt("spawn %.2f", raw.median),
                   ratioText(rivet.median, raw.median), "", ""});
  const auto add_ssh = [&](const Contender& contender, const std::string& how) {
    const auto s = summarize(contender.samples.ms);
    bench.table.add({"ssh `true`, " + how + fmt(" (%.0f runs)", static_cast<double>(s.count)),
                     medP99(s), fmt("spawn %.2f", raw.median), ratioText(s.median, raw.median), "",
                     ""});
    bench.table.add({"local-shell-cmd vs ssh, " + how, fmt("%.2f", rivet.median),
                     fmt("ssh %.2f", s.median), ratioText(rivet.median, s.median), "", ""});
    if (contender.samples.failures > 0)
      bench.table.note(contender.name + fmt(": %.0f runs failed", contender.samples.failures));
  };
  add_ssh(contenders[2], "new connection");
  if (master_ms) {
    add_ssh(contenders[3], "ControlMaster");
    bench.table.note(fmt("ssh: the master connection opened in %.0f ms", *master_ms));
  }
}

}  // namespace rivet::bench
