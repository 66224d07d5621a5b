#include "fleet_agents.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>

#include "bench_rivetd.hpp"
#include "process_probe.hpp"

namespace rivet::bench::fleet {
namespace {

using rivet::test::RivetdProcess;

// Every process whose stdout or command line is under one of `data_dirs` (supervisors and
// actions that outlived their agent), killed.
void killLeftovers(const std::vector<std::string>& data_dirs) {
  const auto mentions = [&](const std::string& text) {
    return std::any_of(data_dirs.begin(), data_dirs.end(),
                       [&](const std::string& dir) { return text.find(dir) != std::string::npos; });
  };
  for (int round = 0; round < 3; ++round) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
         it.increment(ec)) {
      const auto name = it->path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::error_code link_ec;
      const auto out = std::filesystem::read_symlink(it->path() / "fd/1", link_ec).string();
      const auto cmdline = readSmall((it->path() / "cmdline").string());
      if ((!link_ec && mentions(out)) || mentions(cmdline)) ::kill(std::stoi(name), SIGKILL);
    }
  }
}

}  // namespace

Agents::Agents(std::size_t count, const rivet::client::DevPkiFiles& pki, const std::string& packs,
               Watchdog& watchdog)
    : watchdog_(watchdog) {
  const auto start = Clock::now();
  agents_.resize(count);
  std::atomic<bool> failed{false};
  forEachOn(count, kStarterThreads, [&](std::size_t i) {
    if (failed) return;
    std::unique_ptr<RivetdProcess> agent;
    bool started = false;
    std::string why;
    try {
      agent = std::make_unique<RivetdProcess>(benchRivetdDefines(pki, packs));
      started = agent->start();
      why = started ? "" : agent->log();
    } catch (const std::exception& error) {
      why = error.what();
    }
    if (agent && agent->pid() > 0) watchdog_.add(agent->pid());
    agents_[i] = std::move(agent);
    if (!started && !failed.exchange(true)) {
      std::lock_guard lock(error_mutex_);
      error_ = "agent " + std::to_string(i) + " did not start: " + why;
    }
  });
  startup_s_ = secondsSince(start);
}

// Stops every agent (all signalled at once), kills anything left under their data dirs and
// removes their temp dirs. RivetdProcess's destructor would do the same, but one agent at a
// time, each scanning all of /proc; for hundreds of agents one scan for all is far cheaper,
// so the cleanup is done here and the emptied objects are let go.
Agents::~Agents() {
  for (const auto& agent : agents_) {
    if (agent && agent->pid() > 0) ::kill(agent->pid(), SIGTERM);
  }
  std::vector<std::string> data_dirs;
  for (const auto& agent : agents_) {
    if (agent) data_dirs.push_back(agent->dataDir().string());
  }
  forEachOn(agents_.size(), 16, [&](std::size_t i) {
    if (!agents_[i]) return;
    const pid_t pid = agents_[i]->pid();
    agents_[i]->stop();  // waits for the exit (SIGKILL after 20 s)
    if (pid > 0) watchdog_.remove(pid);
  });
  killLeftovers(data_dirs);
  for (auto& agent : agents_) {
    if (!agent) continue;
    std::error_code ec;
    std::filesystem::remove_all(agent->dataDir().parent_path(), ec);
    (void)agent.release();  // see above: nothing of it is left to clean up
  }
}

std::vector<pid_t> Agents::pids() const {
  std::vector<pid_t> pids;
  for (const auto& agent : agents_) pids.push_back(agent->pid());
  return pids;
}

std::vector<rivet::client::Instance> Agents::instances() const {
  std::vector<rivet::client::Instance> instances;
  for (std::size_t i = 0; i < agents_.size(); ++i) {
    rivet::client::Instance instance;
    instance.id = "agent-" + std::to_string(i);
    instance.endpoint = {"127.0.0.1", agents_[i]->port()};
    instances.push_back(std::move(instance));
  }
  return instances;
}

Agents::Footprint Agents::footprint() const {
  Footprint total;
  for (const auto& agent : agents_) {
    total.rss_mib += mib(procKb(agent->pid(), "status", "VmRSS"));
    total.pss_mib += mib(procKb(agent->pid(), "smaps_rollup", "Pss"));
    total.threads += procKb(agent->pid(), "status", "Threads");
  }
  return total;
}

Figures rivetFanOut(const std::string& label, const std::vector<rivet::client::Instance>& instances,
                    const std::vector<pid_t>& agent_pids, const rivet::client::DevPkiFiles& pki,
                    std::optional<std::size_t> bound) {
  rivet::client::FleetOptions options;
  options.strategy = rivet::client::FleetStrategy::parallel;
  if (bound) options.max_concurrency = rivet::client::parseHostCount(std::to_string(*bound));
  options.max_errors = *rivet::client::parseHostCount("100%");  // a failure must not stop the run
  options.tls = {pki.ca_cert, pki.client_cert, pki.client_key};
  options.wait_limit = std::chrono::seconds(90);
  const CpuMeter cpu(RUSAGE_SELF, agent_pids);
  const auto start = Clock::now();
  const auto fleet =
      rivet::client::runFleet(instances, "bench.noop", nlohmann::json::object(), options);
  Figures figures{label, true, secondsSince(start)};
  figures.busy_percent = cpu.busyPercent();
  figures.caller_cpu_s = cpu.callerSeconds();
  figures.server_cpu_s = cpu.serverSeconds();
  figures.total = instances.size();
  std::vector<double> per_host;
  std::vector<double> agent_side;
  std::string first_error;
  for (const auto& host : fleet.hosts) {
    if (!host.failed())
      ++figures.ok;
    else if (first_error.empty())
      first_error = host.host + ": " + host.status + " " + host.error;
    per_host.push_back(static_cast<double>(host.ended_at_ms - host.started_at_ms));
    if (host.duration_ms) agent_side.push_back(static_cast<double>(*host.duration_ms));
  }
  figures.host_median_ms = median(per_host);
  if (!agent_side.empty()) figures.agent_median_ms = median(agent_side);
  figures.note = first_error;
  return figures;
}

}  // namespace rivet::bench::fleet
